import { isIP } from 'node:net';
import { type CarrierChange, InvalidCarrierError, type RegistrationInput } from './carrier';

const HOST = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const TECH_PREFIX = /^[0-9*#]{0,16}$/;
// The user part of a SIP URI (RFC 3261 unreserved and user-unreserved characters): it goes into
// the default client URI of a registration and, quoted, into the digest Authorization header.
const AUTH_USERNAME = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]{1,64}$/;
// Printable ASCII: no control character can reach Asterisk's auth row or the digest computation.
const AUTH_PASSWORD = /^[\x20-\x7e]{1,128}$/;
const SIP_URI = /^sips?:[^\s"<>]{1,251}$/;
const CONTACT_USER = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]{1,40}$/;

function checkHost(host: string, field: string): void {
  if (!isIP(host) && !HOST.test(host)) throw new InvalidCarrierError(`${field} must be an IP address or a host name`, { field, value: host });
}

// "203.0.113.7", "203.0.113.7:5060", "198.51.100.0/24", comma separated.
function checkInboundMatch(match: string): void {
  if (match.length > 255) throw new InvalidCarrierError('inboundMatch must be at most 255 characters', { field: 'inboundMatch' });
  for (const entry of match.split(',').map((part) => part.trim())) {
    const [address, rest] = entry.split(/[:/]/, 2);
    if (!address || isIP(address) === 0 || (rest !== undefined && !/^\d{1,5}$/.test(rest))) {
      throw new InvalidCarrierError('inboundMatch must list IP addresses, IP:port or IP/prefix, comma separated', { field: 'inboundMatch', value: entry });
    }
  }
}

function checkWholeSeconds(value: number | undefined, field: string, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw new InvalidCarrierError(`${field} must be a whole number of seconds, ${min}-${max}`, { field });
  }
}

function checkRegistration(registration: RegistrationInput): void {
  for (const field of ['serverUri', 'clientUri'] as const) {
    const uri = registration[field];
    if (uri !== undefined && !SIP_URI.test(uri)) throw new InvalidCarrierError(`registration.${field} must be a sip: or sips: URI of at most 255 characters`, { field: `registration.${field}` });
  }
  if (registration.contactUser !== undefined && !CONTACT_USER.test(registration.contactUser)) {
    throw new InvalidCarrierError('registration.contactUser must be 1-40 characters allowed in a SIP user part', { field: 'registration.contactUser' });
  }
  // Below a minute a carrier answers 423 (Interval Too Brief); above a day a lost carrier goes unnoticed.
  checkWholeSeconds(registration.expirationSeconds, 'registration.expirationSeconds', 60, 86_400);
  checkWholeSeconds(registration.retryIntervalSeconds, 'registration.retryIntervalSeconds', 10, 86_400);
}

// The fields of a carrier as given (create, or the changed ones of an update). Rules that need the
// whole carrier (credentials that go together) are checked by the service.
export function checkCarrierFields(input: CarrierChange): void {
  if (input.name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9 ._-]{1,63}$/.test(input.name)) {
    throw new InvalidCarrierError('name must be 2-64 letters, digits, spaces, dots, dashes or underscores', { field: 'name' });
  }
  if (input.host !== undefined) checkHost(input.host, 'host');
  if (input.port !== undefined && (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535)) {
    throw new InvalidCarrierError('port must be 1-65535', { field: 'port' });
  }
  if (input.techPrefix !== undefined && !TECH_PREFIX.test(input.techPrefix)) {
    throw new InvalidCarrierError('techPrefix must be up to 16 digits, * or #', { field: 'techPrefix' });
  }
  if (input.maxConcurrentCalls !== undefined && (!Number.isInteger(input.maxConcurrentCalls) || input.maxConcurrentCalls < 1 || input.maxConcurrentCalls > 100_000)) {
    throw new InvalidCarrierError('maxConcurrentCalls must be 1-100000', { field: 'maxConcurrentCalls' });
  }
  if (input.authUsername !== undefined && !AUTH_USERNAME.test(input.authUsername)) {
    throw new InvalidCarrierError('authUsername must be 1-64 characters allowed in a SIP user part (letters, digits, -_.!~*\'()&=+$,;?/%)', { field: 'authUsername' });
  }
  if (input.authPassword !== undefined && !AUTH_PASSWORD.test(input.authPassword)) {
    throw new InvalidCarrierError('authPassword must be 1-128 printable ASCII characters', { field: 'authPassword' });
  }
  if (input.authUsername !== undefined && input.authPassword === undefined) {
    throw new InvalidCarrierError('authUsername and authPassword go together', { field: 'authPassword' });
  }
  if (input.inboundMatch !== undefined) checkInboundMatch(input.inboundMatch);
  if (input.emergencyCountries !== undefined && (input.emergencyCountries.length > 300 || !input.emergencyCountries.every((country) => /^[A-Z]{2}$/.test(country)))) {
    throw new InvalidCarrierError('emergencyCountries must list ISO 3166 alpha-2 country codes, e.g. ["US", "CA"]', { field: 'emergencyCountries' });
  }
  if (input.registration) checkRegistration(input.registration);
}
