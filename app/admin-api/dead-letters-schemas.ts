import { z } from 'zod';

// Request and response shapes of the dead-letter routes; they validate requests and build the
// OpenAPI document (openapi-dead-letters.ts).

const consumer = z.string().regex(/^[a-z0-9-]{1,64}$/).meta({ description: 'the durable consumer that gave up on the event', example: 'invoices' });
const id = z.string().regex(/^[0-9]{1,20}$/).meta({ description: "the dead letter's sequence in the DEAD_LETTERS stream", example: '17' });

export const DeadLettersQuery = z
  .object({
    consumer: consumer.optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional().meta({ description: 'most dead letters listed (default 100, at most 1000)' }),
  })
  .strict();

export const ReplayRequest = z
  .object({
    consumer: consumer.optional(),
    ids: z.array(id).min(1).max(1000).optional(),
  })
  .strict()
  .meta({ description: 'Which dead letters to replay: all (empty body), those of one consumer, and/or these ids' });

export const DeadLetterResponse = z.object({
  id,
  consumer,
  subject: z.string().meta({ description: 'the subject the event was published on', example: 'call.v1.ended' }),
  eventId: z.string().optional(),
  reason: z.string().meta({ description: 'why the consumer gave up on it', example: 'gave up after 5 deliveries: statement line rejected' }),
  deliveries: z.number().int(),
  streamSeq: z.number().int().meta({ description: "the event's sequence in its own stream" }),
  failedAt: z.string().meta({ description: 'ISO 8601' }),
  data: z.string().meta({ description: 'the original payload, as received' }),
});

export const DeadLetterListResponse = z.object({ deadLetters: z.array(DeadLetterResponse) });

export const ReplayResponse = z.object({
  replayed: z.number().int().meta({ description: 'dead letters applied by their consumer and deleted' }),
  failed: z.array(z.object({ id, consumer, reason: z.string() })).meta({ description: 'dead letters that failed again, and stay' }),
});
