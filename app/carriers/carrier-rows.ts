import { type Carrier, type NumberFormat, type RegistrationSettings, type Transport } from './carrier';

// A carriers row with Prisma's field names: the Prisma adapter's rows, and the plain-SQL lookups'
// (their columns aliased to these names), become carriers the same way.
export interface CarrierRow {
  id: string;
  name: string;
  endpointId: string;
  host: string;
  port: number;
  transport: string;
  authUsername: string | null;
  numberFormat: string;
  techPrefix: string;
  maxConcurrentCalls: number;
  enabled: boolean;
  inboundMatch: string;
  allowAboveRetail: boolean;
  register: boolean;
  registrationServerUri: string | null;
  registrationClientUri: string | null;
  registrationContactUser: string | null;
  registrationExpirationSeconds: number;
  registrationRetrySeconds: number;
  emergency: boolean;
  emergencyCountries: string[] | null;
  createdAt: Date;
  updatedAt: Date;
}

const registrationOf = (row: CarrierRow): RegistrationSettings => ({
  ...(row.registrationServerUri ? { serverUri: row.registrationServerUri } : {}),
  ...(row.registrationClientUri ? { clientUri: row.registrationClientUri } : {}),
  ...(row.registrationContactUser ? { contactUser: row.registrationContactUser } : {}),
  expirationSeconds: row.registrationExpirationSeconds,
  retryIntervalSeconds: row.registrationRetrySeconds,
});

export const toCarrier = (row: CarrierRow): Carrier => ({
  id: row.id,
  name: row.name,
  endpointId: row.endpointId,
  host: row.host,
  port: row.port,
  transport: row.transport as Transport,
  ...(row.authUsername ? { authUsername: row.authUsername } : {}),
  numberFormat: row.numberFormat as NumberFormat,
  techPrefix: row.techPrefix,
  maxConcurrentCalls: row.maxConcurrentCalls,
  enabled: row.enabled,
  inboundMatch: row.inboundMatch,
  allowAboveRetail: row.allowAboveRetail,
  ...(row.register ? { registration: registrationOf(row) } : {}),
  emergency: row.emergency,
  emergencyCountries: row.emergencyCountries ?? [],
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});
