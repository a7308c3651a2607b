import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

// E.164 numbers are the platform's one number format. libphonenumber-js knows every country's
// numbering plan, which a hand-written regex cannot.
export type E164 = string & { readonly __brand: 'E164' };

export function toE164(input: string, defaultCountry?: CountryCode): E164 | undefined {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry);
  if (!parsed || !parsed.isValid()) return undefined;
  return parsed.number as E164;
}

export function isE164(input: string): input is E164 {
  return /^\+[1-9]\d{1,14}$/.test(input) && toE164(input) === input;
}

// The country of an E.164 number (ISO 3166 code), used to read a national number its owner dials.
export function countryOf(e164: string): CountryCode | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}

export type { CountryCode };
