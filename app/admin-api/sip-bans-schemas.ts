import { z } from 'zod';

// Response shapes of /v1/sip-bans; they build the OpenAPI document (openapi-sip-bans.ts).

const count = z.object({
  key: z.string().meta({ description: 'a source address or a username', example: '203.0.113.7' }),
  failures: z.number().int().meta({ description: 'failed digest authentications in the current window', example: 4 }),
});

export const SipBanResponse = z.object({
  address: z.string().meta({ description: 'the banned source address, as the edge saw it', example: '203.0.113.7' }),
  reason: z.enum(['auth', 'flood', 'scanner']).meta({ description: 'auth: too many failed authentications; flood: too many requests (pike); scanner: a scanner user agent' }),
  failures: z.number().int().meta({ description: 'failed authentications that led to the ban (0 unless reason is auth)', example: 10 }),
  until: z.iso.datetime().meta({ description: 'when the edge lifts it on its own', example: '2026-12-07T23:15:00.000Z' }),
});

export const SipBanListResponse = z.object({
  bans: z.array(SipBanResponse),
  failuresBySource: z.array(count).meta({ description: 'source addresses with failed authentications, not (yet) banned' }),
  failuresByUsername: z.array(count).meta({ description: 'usernames with failed authentications: counted, never banned (a ban by username would let anyone lock a user out)' }),
  countsAvailable: z.boolean().meta({ description: 'false when the edge could not hand the failure counts over (too many for one RPC answer): the bans are complete all the same' }),
});

export const SipBanAddress = z.union([z.ipv4(), z.ipv6()]).meta({ description: 'the banned address', example: '203.0.113.7' });
