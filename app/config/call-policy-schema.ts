import { z } from 'zod';

// Emergency and short numbers per country (ISO 3166 alpha-2), the first of each country being the
// one its emergency carriers are sent. 112 and 911 are emergency numbers from anywhere (GSM and
// most networks route both), read as the caller's own country's first number.
// EU member states: 112 everywhere (Directive 2018/1972 art. 109), with national numbers beside it.
const EU_112 = ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'];
export const DEFAULT_EMERGENCY_NUMBERS = ['US:911', 'CA:911', 'GB:999,112', 'AU:000,112', 'IN:112', ...EU_112.map((country) => `${country}:112`)].join(';');

const COUNTRY = /^[A-Z]{2}$/;
const SHORT_NUMBER = /^[0-9]{2,6}$/;

// "US:911;GB:999,112": country, colon, its numbers (comma separated), countries separated by ';'.
export function parseEmergencyNumbers(value: string): { table: Record<string, string[]>; issues: string[] } {
  const table: Record<string, string[]> = {};
  const issues: string[] = [];
  for (const entry of value.split(';').map((part) => part.trim()).filter(Boolean)) {
    const [country, numbers] = entry.split(':', 2).map((part) => part.trim());
    const list = (numbers ?? '').split(',').map((number) => number.trim()).filter(Boolean);
    if (!country || !COUNTRY.test(country)) issues.push(`"${entry}": the country must be an ISO 3166 alpha-2 code such as US`);
    else if (list.length === 0 || !list.every((number) => SHORT_NUMBER.test(number))) issues.push(`"${entry}": the numbers must be 2-6 digits, comma separated`);
    else table[country] = list;
  }
  return { table, issues };
}

const positiveInt = z.coerce.number().int().positive();

// The call-admission rules of app/call-policy (emergency calls, per-user limits, fraud caps).
export const callPolicyVariables = {
  // Replaces the seeded table whole when set (DEFAULT_EMERGENCY_NUMBERS shows the form).
  EMERGENCY_NUMBERS: z.string().min(1).default(DEFAULT_EMERGENCY_NUMBERS),
  // The emergency carriers are kept in memory (emergency calls must not need the database) and
  // re-read this often.
  EMERGENCY_CARRIER_REFRESH_MS: positiveInt.min(100).max(600_000).default(5000),
  // Destination prefixes no call may go to, whatever the API adds (E.164 with '+', comma
  // separated). Default: the satellite and international networks +881/+882/+883, the classic
  // ranges of international revenue share fraud.
  BLOCKED_PREFIXES: z.string().regex(/^(\+[0-9]{1,15})?(,\+[0-9]{1,15})*$/, "E.164 prefixes with their '+', comma separated").default('+881,+882,+883'),
  // Per-user settings (limits, caps) and added blocked prefixes are re-read this often (0: every call).
  CALL_POLICY_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  // Calls to one destination across users in a minute above this raise the fraud alarm (0: off),
  // and block it for FRAUD_DESTINATION_BLOCK_MINUTES (0: alarm only).
  FRAUD_DESTINATION_CALLS_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(30),
  FRAUD_DESTINATION_BLOCK_MINUTES: z.coerce.number().int().min(0).max(10_080).default(0),
};

export function callPolicyIssues(env: { EMERGENCY_NUMBERS: string }): { path: string; message: string }[] {
  return parseEmergencyNumbers(env.EMERGENCY_NUMBERS).issues.map((message) => ({ path: 'EMERGENCY_NUMBERS', message }));
}
