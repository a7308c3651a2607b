import { z } from 'zod';
import { END_REASONS } from '../session';
import { isE164 } from '../shared/kernel';
import { MEDIA_ENCRYPTION_POLICIES, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, SUSPENSION_REASON_MAX_LENGTH, USERNAME_PATTERN } from '../users';

// Request and response shapes of the admin API: validation and the OpenAPI document both come
// from these schemas, so they cannot drift apart.

const MEDIA_ENCRYPTION_DESCRIPTION =
  'SRTP (SDES) policy of the user\'s devices: required (SRTP only; devices must use SIP over TLS, a plain device is refused), optional (default: SRTP offered to and accepted from devices on TLS, plain RTP otherwise), off (plain RTP only). Carriers keep plain RTP.';

export const CreateUserRequest = z
  .object({
    username: z.string().regex(USERNAME_PATTERN, 'a lower-case letter, then 2-31 letters, digits, dots or dashes'),
    password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH),
    phoneNumber: z
      .string()
      .refine(isE164, 'must be a valid phone number in E.164 form, e.g. +14155550102')
      .meta({ description: 'E.164, validated against the numbering plan', example: '+14155550102' }),
    mediaEncryption: z.enum(MEDIA_ENCRYPTION_POLICIES).optional().meta({ description: MEDIA_ENCRYPTION_DESCRIPTION }),
  })
  .strict();

export const UserResponse = z
  .object({
    id: z.uuid(),
    username: z.string(),
    phoneNumber: z.string(),
    createdAt: z.iso.datetime(),
    suspended: z.boolean().meta({ description: 'suspended by an operator: may register and call emergency numbers only, cannot be called' }),
    suspensionReason: z.string().optional(),
    suspendedAt: z.iso.datetime().optional(),
    mediaEncryption: z.enum(MEDIA_ENCRYPTION_POLICIES).meta({ description: MEDIA_ENCRYPTION_DESCRIPTION }),
  });

export const SuspendRequest = z.object({ reason: z.string().min(1).max(SUSPENSION_REASON_MAX_LENGTH).meta({ description: 'why (kept with the user)', example: 'fraud desk: premium-rate spike' }) }).strict();
export const ResumeRequest = z.object({ reason: z.string().max(SUSPENSION_REASON_MAX_LENGTH).optional() }).strict();
export const ChangePasswordRequest = z.object({ password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH) }).strict();

export const MediaEncryptionRequest = z.object({ mediaEncryption: z.enum(MEDIA_ENCRYPTION_POLICIES).meta({ description: MEDIA_ENCRYPTION_DESCRIPTION }) }).strict();

export const UserIdParam = z.object({ id: z.string().min(1).max(64) });

export const ErrorResponse = z
  .object({
    code: z.string().meta({ example: 'USER.NOT_FOUND' }),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  });

export const HealthResponse = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() })),
  });

const PartyResponse = z.object({ userId: z.string(), username: z.string(), phoneNumber: z.string() });

export const CallResponse = z.object({
  id: z.uuid(),
  live: z.boolean(),
  state: z.enum(['requested', 'routing', 'ringing', 'answered', 'ended']),
  caller: PartyResponse,
  callee: PartyResponse.optional(),
  dialed: z.string(),
  endCause: z.string().optional(),
  sipCode: z.number().int().optional(),
  talkMs: z.number().int().optional(),
  devices: z.array(z.object({ contactUri: z.string(), outcome: z.string().optional() })),
  history: z.array(z.object({ state: z.string(), at: z.iso.datetime() })),
  node: z.string().optional().meta({ description: 'a live call: the controller instance (fleet node) driving it, where operator actions on it are carried out' }),
});

export const CallListResponse = z.object({ calls: z.array(CallResponse) });

// Click-to-call: ring `from`'s devices, then call `to` from the one that answers.
export const StartCallRequest = z
  .object({
    from: z.string().min(1).max(64).meta({ description: 'user id or username of the user whose devices ring first' }),
    to: z
      .string()
      .refine((value) => USERNAME_PATTERN.test(value) || isE164(value), 'must be a username or a phone number in E.164 form, e.g. +14155550102')
      .meta({ description: 'username, or E.164 number (on-net or on the phone network)' }),
  })
  .strict();

export const SessionResponse = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  username: z.string(),
  connectionId: z.string().meta({ description: "the switch's contact id of the registration" }),
  contactUri: z.string(),
  transport: z.string().optional(),
  userAgent: z.string().optional(),
  registeredAt: z.iso.datetime(),
  refreshedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().optional(),
  endedAt: z.iso.datetime().optional(),
  endReason: z.enum(END_REASONS).optional(),
});

export const SessionListResponse = z.object({ sessions: z.array(SessionResponse) });

export const InvoiceSummaryResponse = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  period: z.string().meta({ description: 'calendar month of the calls (UTC)', example: '2026-11' }),
  currency: z.string().meta({ example: 'USD' }),
  status: z.enum(['open', 'closed']),
  totalMinor: z.number().int().meta({ description: 'total in minor units of the currency (cents)' }),
  total: z.string().meta({ description: 'the same total as an exact decimal', example: '12.34' }),
  lineCount: z.number().int(),
  createdAt: z.iso.datetime(),
  closedAt: z.iso.datetime().optional(),
});

export const InvoiceListResponse = z.object({ invoices: z.array(InvoiceSummaryResponse) });

export const InvoiceLineResponse = z.object({
  callId: z.uuid(),
  eventId: z.string(),
  destination: z.string(),
  startedAt: z.iso.datetime(),
  talkSeconds: z.number().int(),
  billedSeconds: z.number().int(),
  ratePerMinuteMicros: z.number().int().meta({ description: 'rate in millionths of the currency per minute' }),
  ratePerMinute: z.string().meta({ example: '0.0125' }),
  connectFeeMinor: z.number().int(),
  amountMinor: z.number().int(),
  amount: z.string().meta({ example: '0.13' }),
});

export const InvoiceResponse = InvoiceSummaryResponse.extend({ lines: z.array(InvoiceLineResponse) });

// ---- Lawful intercept (/v1/agencies, /v1/warrants)

export const CreateAgencyRequest = z.object({ name: z.string().trim().min(1).max(200) }).strict();

export const AgencyCreatedResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  token: z.string().meta({ description: "the agency's API token: shown this once, stored hashed" }),
  createdAt: z.iso.datetime(),
});

const WarrantTargetSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), value: z.uuid() }).strict(),
  z.object({ type: z.literal('sipUsername'), value: z.string().regex(USERNAME_PATTERN) }).strict(),
  z.object({ type: z.literal('phoneNumber'), value: z.string().refine(isE164, 'must be an E.164 phone number') }).strict(),
]);

export const CreateWarrantRequest = z
  .object({
    agencyId: z.uuid(),
    targets: z.array(WarrantTargetSchema).min(1).max(50),
    content: z.boolean().meta({ description: 'true: call events and content (recordings); false: call events only' }),
    validFrom: z.iso.datetime({ offset: true }),
    validUntil: z.iso.datetime({ offset: true }),
  })
  .strict();

export const ModifyWarrantRequest = z
  .object({
    targets: z.array(WarrantTargetSchema).min(1).max(50).optional(),
    content: z.boolean().optional(),
    validFrom: z.iso.datetime({ offset: true }).optional(),
    validUntil: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'change at least one field');

export const WarrantIdParam = z.object({ id: z.uuid() });
export const RecordingParams = z.object({ id: z.uuid(), recordingId: z.uuid() });
export const EventsQuery = z.object({
  afterSeq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export const WarrantResponse = z.object({
  id: z.uuid(),
  agencyId: z.uuid(),
  targets: z.array(WarrantTargetSchema),
  content: z.boolean(),
  validFrom: z.iso.datetime(),
  validUntil: z.iso.datetime(),
  status: z.enum(['active', 'deactivated']),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  deactivatedAt: z.iso.datetime().optional(),
});

export const WarrantListResponse = z.object({ warrants: z.array(WarrantResponse) });

export const InterceptEventResponse = z.object({
  seq: z.number().int(),
  kind: z.string().meta({ description: 'iri.begin, iri.continue, iri.answer, iri.end, content.started, content.failed, content.stopped, recording.stored, warrant.activated, ...' }),
  correlationId: z.uuid().optional().meta({ description: 'the intercept (one call of one warrant) the record belongs to' }),
  callId: z.uuid().optional(),
  occurredAt: z.iso.datetime(),
  payload: z.record(z.string(), z.unknown()),
  prevHash: z.string().meta({ description: 'hash of the previous record of this warrant (hash chain)' }),
  hash: z.string().meta({ description: 'HMAC-SHA-256 over prevHash and this record under the operator-held chain key keyId (records without keyId, written before keyed chains: plain SHA-256)' }),
  keyId: z.string().optional().meta({ description: 'id of the key the record is signed with' }),
});

export const InterceptEventListResponse = z.object({ events: z.array(InterceptEventResponse) });

export const InterceptRecordingResponse = z.object({
  id: z.uuid(),
  correlationId: z.uuid(),
  callId: z.uuid(),
  segment: z.number().int(),
  state: z.enum(['recording', 'ended', 'collecting', 'stored', 'failed', 'purged']),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().optional(),
  durationMs: z.number().int().optional(),
  sizeBytes: z.number().int().optional(),
  sha256: z.string().optional().meta({ description: 'SHA-256 of the WAV file served at .../audio' }),
  copies: z.number().int(),
  retainUntil: z.iso.datetime().optional(),
  purgedAt: z.iso.datetime().optional(),
});

export const InterceptRecordingListResponse = z.object({ recordings: z.array(InterceptRecordingResponse) });
