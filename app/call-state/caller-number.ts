import { countryOf, toE164 } from '../shared/kernel';

// A phone number holds at most E.164's 15 digits and its plus sign.
export const MAX_NUMBER_LENGTH = 16;

// Visual separators some carriers leave in a number: "+44 (20) 7183-8750".
const SEPARATORS = /[\s().-]/g;
// What may remain of a number that is not one: safe in a caller id and in a log line.
const UNSAFE = /[^A-Za-z0-9+*#_]/g;

// The caller's number of a call from the phone network. Carriers send it in many shapes; it is read
// as E.164 when it can be: international with or without '+', with the 00 prefix, or national in the
// country of the number dialled. Anything else ("anonymous", a malformed or over-long number) is kept
// as sent, limited to safe characters and to the length of a number, so that no call is lost for it.
export function callerNumberOf(raw: string, dialedE164?: string): string {
  const compact = raw.replace(SEPARATORS, '');
  const international = [compact.startsWith('+') ? compact : `+${compact}`, ...(compact.startsWith('00') ? [`+${compact.slice(2)}`] : [])];
  for (const candidate of international) {
    const e164 = toE164(candidate);
    if (e164) return e164;
  }
  const country = dialedE164 ? countryOf(dialedE164) : undefined;
  const national = country ? toE164(compact, country) : undefined;
  return national ?? compact.replace(UNSAFE, '').slice(0, MAX_NUMBER_LENGTH);
}
