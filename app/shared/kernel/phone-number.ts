import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

// E.164 numbers are the platform's one number format. libphonenumber-js knows every country's
// numbering plan, which a hand-written regex cannot.
export type E164 = string & { readonly __brand: 'E164' };

// Parsing a number costs ~50-100 us of CPU (libphonenumber-js walks the country's metadata), and
// the call path parses the same few numbers over and over (callers' own numbers, often dialled
// ones): the answers are pure, so they are remembered, up to MEMO_SIZE numbers (then forgotten at
// once and learned again: simpler than an LRU, and enough for a working set this size).
const MEMO_SIZE = 20_000;
const e164Memo = new Map<string, E164 | null>();
const countryMemo = new Map<string, CountryCode | null>();

function remembered<T>(memo: Map<string, T | null>, key: string, compute: () => T | undefined): T | undefined {
  const known = memo.get(key);
  if (known !== undefined) return known ?? undefined;
  const value = compute();
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(key, value ?? null);
  return value;
}

export function toE164(input: string, defaultCountry?: CountryCode): E164 | undefined {
  return remembered(e164Memo, `${defaultCountry ?? ''}|${input}`, () => {
    const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry);
    if (!parsed || !parsed.isValid()) return undefined;
    return parsed.number as E164;
  });
}

export function isE164(input: string): input is E164 {
  return /^\+[1-9]\d{1,14}$/.test(input) && toE164(input) === input;
}

// The country of an E.164 number (ISO 3166 code), used to read a national number its owner dials.
export function countryOf(e164: string): CountryCode | undefined {
  return remembered(countryMemo, e164, () => parsePhoneNumberFromString(e164)?.country);
}

export type { CountryCode };
