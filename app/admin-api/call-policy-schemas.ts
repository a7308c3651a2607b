import { z } from 'zod';

const limit = (description: string) => z.number().int().min(0).max(100_000).nullable().optional().meta({ description: `${description}; null clears it (the plan's default, or none, applies)` });

const policyFields = {
  maxCalls: limit('concurrent calls of the user, all kinds (over it: 486)'),
  maxPstnCalls: limit('concurrent outbound calls to the phone network (over it: 486)'),
  pstnCallsPerHour: limit('new calls to the phone network per clock hour (over it: 403, cause call_rate_cap)'),
  dailySpendCapMinor: z
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .nullable()
    .optional()
    .meta({ description: "charges per UTC day, in the minor units of the account's currency (reached: 403, cause spend_cap); null clears it" }),
};

export const UserCallPolicyRequest = z
  .object({ ...policyFields, clir: z.boolean().optional().meta({ description: 'present the number as anonymous on PSTN calls (the carrier still gets it in P-Asserted-Identity; records keep it)' }) })
  .strict();
export const PlanCallPolicyRequest = z.object(policyFields).strict();

const settings = z.object({
  maxCalls: z.number().int().optional(),
  maxPstnCalls: z.number().int().optional(),
  pstnCallsPerHour: z.number().int().optional(),
  dailySpendCapMinor: z.number().int().optional(),
  clir: z.boolean().optional(),
});
export const CallPolicyResponse = z.object({
  own: settings.meta({ description: 'set on the user (or plan) itself' }),
  effective: settings.optional().meta({ description: "what applies to the user's calls: its own, else its plan's" }),
});

export const BlockPrefixRequest = z
  .object({
    prefix: z.string().regex(/^\+[0-9]{1,15}$/).meta({ description: "E.164 prefix with its '+'", example: '+44909' }),
    reason: z.string().min(1).max(200),
    expiresAt: z.iso.datetime().optional().meta({ description: 'a temporary block; absent: until removed' }),
  })
  .strict();
export const BlockedPrefixResponse = z.object({ prefix: z.string(), reason: z.string(), expiresAt: z.iso.datetime().optional() });
export const BlockedPrefixListResponse = z.object({ configured: z.array(z.string()).meta({ description: 'BLOCKED_PREFIXES of the configuration: always blocked' }), added: z.array(BlockedPrefixResponse) });
