import { AppError, ConflictError, NotFoundError } from '../shared/kernel';

export type Transport = 'udp' | 'tcp';
// How the called number is sent in the Request-URI: with its '+' or digits only (after techPrefix).
export type NumberFormat = 'plus' | 'digits';

// Registration with the carrier, for carriers that send calls to us only once we registered with
// them. Unset fields are derived from the carrier (effectiveRegistration).
export interface RegistrationSettings {
  // Request-URI of the REGISTER (the carrier's registrar). Default: sip:host:port.
  serverUri?: string;
  // Address of record (To/From of the REGISTER). Default: sip:authUsername@host:port.
  clientUri?: string;
  // User part of our Contact. Default: Asterisk's ("s").
  contactUser?: string;
  expirationSeconds: number;
  // Wait between failed attempts (also after a 403 or another fatal answer: a carrier fixing an
  // account must not have to ask us to register again).
  retryIntervalSeconds: number;
}

export type RegistrationInput = Partial<RegistrationSettings>;

export const REGISTRATION_DEFAULTS = { expirationSeconds: 3600, retryIntervalSeconds: 60 } as const;

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
  // Present when the carrier wants us registered with it.
  registration?: RegistrationSettings;
  // Takes emergency calls of callers from these countries (ISO 3166 alpha-2).
  emergency: boolean;
  emergencyCountries: string[];
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
  // Register with the carrier (settings, {} for the defaults); null: do not (removes it on update).
  registration?: RegistrationInput | null;
  emergency?: boolean;
  emergencyCountries?: string[];
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

// What Asterisk's registration row says: the carrier's settings with the derived defaults filled in.
export function effectiveRegistration(carrier: Pick<Carrier, 'host' | 'port' | 'transport' | 'authUsername'>, settings: RegistrationSettings): Required<Omit<RegistrationSettings, 'contactUser'>> & { contactUser?: string } {
  const hostPort = `${carrier.host}:${carrier.port}`;
  return {
    serverUri: settings.serverUri ?? `sip:${hostPort}${carrier.transport === 'tcp' ? ';transport=tcp' : ''}`,
    // The service refuses a registration with neither a clientUri nor an authUsername.
    clientUri: settings.clientUri ?? `sip:${carrier.authUsername ?? ''}@${hostPort}`,
    ...(settings.contactUser ? { contactUser: settings.contactUser } : {}),
    expirationSeconds: settings.expirationSeconds,
    retryIntervalSeconds: settings.retryIntervalSeconds,
  };
}

// The number as this carrier wants it in the Request-URI.
export function formatForCarrier(e164: string, carrier: Pick<Carrier, 'numberFormat' | 'techPrefix'>): string {
  const number = carrier.numberFormat === 'digits' ? e164.replace(/^\+/, '') : e164;
  return `${carrier.techPrefix}${number}`;
}
