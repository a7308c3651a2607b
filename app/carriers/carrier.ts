import { AppError, ConflictError, NotFoundError } from '../shared/kernel';

export type Transport = 'udp' | 'tcp';
// How the called number is sent in the Request-URI: with its '+' or digits only (after techPrefix).
export type NumberFormat = 'plus' | 'digits';

export interface Carrier {
  id: string;
  name: string;
  endpointId: string;
  host: string;
  port: number;
  transport: Transport;
  authUsername?: string;
  numberFormat: NumberFormat;
  techPrefix: string;
  maxConcurrentCalls: number;
  enabled: boolean;
  inboundMatch: string;
  allowAboveRetail: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface CarrierInput {
  name: string;
  host: string;
  port?: number;
  transport?: Transport;
  // Digest credentials the carrier asks of us; both or neither.
  authUsername?: string;
  authPassword?: string;
  numberFormat?: NumberFormat;
  techPrefix?: string;
  maxConcurrentCalls?: number;
  enabled?: boolean;
  // Source addresses identifying the carrier's inbound calls (IP or IP:port, comma separated);
  // defaults to the carrier's host.
  inboundMatch?: string;
  allowAboveRetail?: boolean;
}

export type CarrierChange = Partial<Omit<CarrierInput, 'name'>> & { name?: string };

export class CarrierNotFoundError extends NotFoundError {
  constructor(carrierId: string) {
    super('CARRIER.NOT_FOUND', 'no such carrier', { carrierId });
  }
}

export class CarrierNameTakenError extends ConflictError {
  constructor(name: string) {
    super('CARRIER.NAME_TAKEN', 'a carrier with this name exists', { name });
  }
}

export class InvalidCarrierError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('CARRIER.INVALID', message, 'invalid', details);
  }
}

// The PJSIP endpoint id of a carrier: short, stable, and with an underscore, which usernames never
// have, so a carrier can never collide with a user.
export function endpointIdOf(carrierId: string): string {
  return `carrier_${carrierId.replace(/-/g, '').slice(0, 16)}`;
}

// The number as this carrier wants it in the Request-URI.
export function formatForCarrier(e164: string, carrier: Pick<Carrier, 'numberFormat' | 'techPrefix'>): string {
  const number = carrier.numberFormat === 'digits' ? e164.replace(/^\+/, '') : e164;
  return `${carrier.techPrefix}${number}`;
}
