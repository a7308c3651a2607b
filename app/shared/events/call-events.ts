import { z } from 'zod';
import { CALL_SUBJECTS } from './subjects';

// Call state change events, version 1. Payloads are validated on both ends with these schemas.

// A subscriber; for a caller from the phone network (inbound through a carrier) userId and username
// are empty and only the number is known.
export const PartySchema = z.object({
  userId: z.string(),
  username: z.string(),
  phoneNumber: z.string(),
});

export const DIRECTIONS = ['on-net', 'outbound', 'inbound'] as const;

// The outcome of a carrier attempt whose INVITE was never sent: the carrier was at its call limit.
export const ATTEMPT_SKIPPED_AT_LIMIT = 'skipped_at_limit';

// One device rung, or one carrier tried, for a call.
export const AttemptSchema = z.object({
  carrierId: z.string().optional(),
  // answered | busy | declined | no_answer | unreachable | cancelled | congestion | skipped_at_limit
  outcome: z.string(),
  sipCode: z.number().int().optional(),
  // Post-dial delay: INVITE sent to first provisional response (18x).
  pddMs: z.number().int().nonnegative().optional(),
});

// Media quality of one leg as Asterisk measured it (RTCP), read just before hang-up.
export const RtpQualitySchema = z.object({
  rxPackets: z.number().int().nonnegative(),
  txPackets: z.number().int().nonnegative(),
  rxPacketsLost: z.number().int(),
  txPacketsLost: z.number().int(),
  rxJitterMs: z.number().nonnegative(),
  txJitterMs: z.number().nonnegative(),
  rttMs: z.number().nonnegative().optional(),
  // Media experience score 0-100 (Asterisk 21+), where available.
  mes: z.number().min(0).max(100).optional(),
});

// Why a call ended: defined here once (call-state's EndCause is this type). Each failure end has
// its SIP response towards the caller (app/call-state/end-causes.ts); 'terminated': ended by the
// platform (an operator, or the credit ran out). Refused by the call admission rules
// (app/call-policy), each with its own cause: the caller or the callee is suspended; the caller is
// at its concurrent-call limit; the destination is on the blocklist; the caller's daily spend cap
// is reached; its hourly cap on new PSTN calls is reached.
export const END_CAUSES = ['completed', 'busy', 'no_answer', 'declined', 'cancelled', 'unreachable', 'no_route', 'not_allowed', 'failed', 'terminated', 'suspended', 'call_limit',
  'blocked_destination', 'spend_cap', 'call_rate_cap'] as const;
export type EndCause = (typeof END_CAUSES)[number];

const base = {
  id: z.string().min(1), // event id: also the JetStream message id, so a republished event is dropped
  version: z.literal(1),
  callId: z.uuid(),
  occurredAt: z.iso.datetime(),
};

// Switch channel ids, for modules that act on the call's media (lawful intercept).
const ChannelsSchema = z.object({ caller: z.string(), callee: z.string().optional() });

export const CallRequestedSchema = z.object({ ...base, type: z.literal(CALL_SUBJECTS.requested), caller: PartySchema, dialed: z.string(), channels: ChannelsSchema.optional() });
export const CallRoutedSchema = z.object({ ...base, type: z.literal(CALL_SUBJECTS.routed), callee: PartySchema, devices: z.number().int().nonnegative(), carrierId: z.string().optional() });
export const CallRingingSchema = z.object({ ...base, type: z.literal(CALL_SUBJECTS.ringing) });
export const CallAnsweredSchema = z.object({ ...base, type: z.literal(CALL_SUBJECTS.answered), setupMs: z.number().nonnegative(), channels: ChannelsSchema.optional() });
export const CallEndedSchema = z.object({
  ...base,
  type: z.literal(CALL_SUBJECTS.ended),
  caller: PartySchema,
  callee: PartySchema.optional(),
  dialed: z.string(),
  cause: z.enum(END_CAUSES),
  // Why the platform ended or refused it, when it did: operator, credit_exhausted, no_credit, ...
  reason: z.string().optional(),
  sipCode: z.number().int().optional(),
  requestedAt: z.iso.datetime(),
  ringingAt: z.iso.datetime().optional(),
  answeredAt: z.iso.datetime().optional(),
  endedAt: z.iso.datetime(),
  // The party left while the controller heard no events (restart, lost switch connection): endedAt
  // is the last moment the call was known alive, and talkMs counts up to it only.
  endTimeEstimated: z.boolean().optional(),
  talkMs: z.number().int().nonnegative(),
  carrierId: z.string().optional(),
  // Absent in events written before they existed: read as on-net, with no attempts known.
  direction: z.enum(DIRECTIONS).optional(),
  attempts: z.array(AttemptSchema).optional(),
  // A call to the emergency services (costs the caller nothing; absent: not one).
  emergency: z.boolean().optional(),
  quality: z.object({ caller: RtpQualitySchema.optional(), callee: RtpQualitySchema.optional() }),
  history: z.array(z.object({ state: z.string(), at: z.iso.datetime() })),
});

export const CallEventSchema = z.discriminatedUnion('type', [CallRequestedSchema, CallRoutedSchema, CallRingingSchema, CallAnsweredSchema, CallEndedSchema]);

export type RtpQuality = z.infer<typeof RtpQualitySchema>;
export type Attempt = z.infer<typeof AttemptSchema>;
export type Direction = (typeof DIRECTIONS)[number];
export type CallRequested = z.infer<typeof CallRequestedSchema>;
export type CallRouted = z.infer<typeof CallRoutedSchema>;
export type CallRinging = z.infer<typeof CallRingingSchema>;
export type CallAnswered = z.infer<typeof CallAnsweredSchema>;
export type CallEnded = z.infer<typeof CallEndedSchema>;
export type CallEvent = z.infer<typeof CallEventSchema>;
