import { z } from 'zod';
import { END_REASONS } from '../session';
import { isE164 } from '../shared/kernel';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN } from '../users';

// Request and response shapes of the admin API: validation and the OpenAPI document both come
// from these schemas, so they cannot drift apart.

export const CreateUserRequest = z
  .object({
    username: z.string().regex(USERNAME_PATTERN, 'a lower-case letter, then 2-31 letters, digits, dots or dashes'),
    password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH),
    phoneNumber: z
      .string()
      .refine(isE164, 'must be a valid phone number in E.164 form, e.g. +14155550102')
      .meta({ description: 'E.164, validated against the numbering plan', example: '+14155550102' }),
  })
  .strict();

export const UserResponse = z
  .object({
    id: z.uuid(),
    username: z.string(),
    phoneNumber: z.string(),
    createdAt: z.iso.datetime(),
  });

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
});

export const CallListResponse = z.object({ calls: z.array(CallResponse) });

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
