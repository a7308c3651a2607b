import { type CountryCode, getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { type E164, toE164 } from '../shared/kernel';

// Country calling codes (1-3 digits, prefix-free), from libphonenumber's metadata, and the ITU's
// non-geographic ones (global services) it keeps apart.
const CALLING_CODES = new Set<string>([...getCountries().map((country) => getCountryCallingCode(country)), '800', '808', '870', '878', '881', '882', '883', '888', '979']);

// Quality is learned per carrier at two levels: the country calling code, and the country code with
// the next digits (the "area"): 2 of them outside the NANP (mobile and fixed networks, big cities:
// 4479 / 4420, 4915 / 4930, 3361 / 3314), 3 inside it (the area code: +1 is 25 countries). Deck
// prefixes are far finer (a carrier's deck can have 50,000), and per-deck-prefix counts would
// almost always be too sparse to say anything; a whole country mixes networks that a carrier serves
// very differently. A sparse area's figures are pulled towards its country's (see quality/estimate.ts).
const AREA_DIGITS_NANP = 3;
const AREA_DIGITS = 2;

const digitsOf = (destination: string): string => (destination.startsWith('+') ? destination.slice(1) : destination);

export function countryCodeOf(destination: string): string | undefined {
  const digits = digitsOf(destination);
  for (let length = 1; length <= 3 && length <= digits.length; length += 1) {
    const code = digits.slice(0, length);
    if (CALLING_CODES.has(code)) return code;
  }
  return undefined;
}

export interface QualityKeys {
  country: string;
  area: string;
}

// The two prefixes a call to this E.164 number is counted under; undefined for a number that is not
// digits or has no known country code.
export function qualityKeysOf(destination: string): QualityKeys | undefined {
  const digits = digitsOf(destination);
  if (!/^\d{2,15}$/.test(digits)) return undefined;
  const country = countryCodeOf(digits);
  if (!country) return undefined;
  const area = digits.slice(0, country.length + (country === '1' ? AREA_DIGITS_NANP : AREA_DIGITS));
  return { country, area };
}

// The region of a subscriber's own E.164 number (GB for +44...): national numbers they dial are
// read in it. undefined for a non-geographic number.
export function countryOfNumber(phoneNumber: string): CountryCode | undefined {
  return parsePhoneNumberFromString(phoneNumber)?.country;
}

// The E.164 form of a dialled number: as is when it is international, else national in the
// sender's country (020 7183 8750 from a +44 number is +442071838750). undefined when invalid.
export function normaliseDestination(to: string, senderNumber: string): E164 | undefined {
  const text = to.trim();
  if (text.length === 0 || text.length > 32) return undefined;
  return toE164(text, countryOfNumber(senderNumber));
}
