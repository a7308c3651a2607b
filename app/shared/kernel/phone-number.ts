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
