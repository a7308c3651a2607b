import { z } from 'zod';
import { AttemptSchema, RtpQualitySchema } from '../shared/events';
import { type Database } from '../shared/infra/prisma';
import { outcomeOf } from './call-outcomes';
import { type CallRecordSource } from './ports';
import { type CallOutcome } from './quality/contributions';

const PAGE_ROWS = 5000;
const Attempts = z.array(AttemptSchema);
const Quality = z.object({ callee: RtpQualitySchema.optional() });

const SELECTED = { callId: true, endedAt: true, dialed: true, calleeNumber: true, callerNumber: true, carrierId: true, talkMs: true, answeredAt: true, attempts: true, quality: true } as const;

// The call logs (call_records) as the batch layer reads them: outbound calls in the order they
// ended, a keyset page at a time. A record whose JSON does not parse counts without that part.
export class PrismaCallRecordSource implements CallRecordSource {
  constructor(private readonly db: Database) {}

  async *outboundCalls(since: Date, until: Date): AsyncIterable<CallOutcome[]> {
    let after: { endedAt: Date; callId: string } | undefined;
    for (;;) {
      const rows = await this.db.callRecord.findMany({
        where: {
          direction: 'outbound',
          endedAt: { gte: since, lt: until },
          ...(after ? { OR: [{ endedAt: { gt: after.endedAt } }, { endedAt: after.endedAt, callId: { gt: after.callId } }] } : {}),
        },
        orderBy: [{ endedAt: 'asc' }, { callId: 'asc' }],
        take: PAGE_ROWS,
        select: SELECTED,
      });
      const outcomes: CallOutcome[] = [];
      for (const row of rows) {
        const attempts = Attempts.safeParse(row.attempts);
        const quality = Quality.safeParse(row.quality);
        const outcome = outcomeOf({
          endedAt: row.endedAt,
          calleeNumber: row.calleeNumber,
          dialed: row.dialed,
          callerNumber: row.callerNumber,
          carrierId: row.carrierId,
          talkMs: row.talkMs,
          answered: row.answeredAt !== null,
          attempts: attempts.success ? attempts.data : [],
          ...(quality.success && quality.data.callee ? { calleeQuality: quality.data.callee } : {}),
        });
        if (outcome) outcomes.push(outcome);
      }
      if (outcomes.length > 0) yield outcomes;
      const last = rows[rows.length - 1];
      if (!last || rows.length < PAGE_ROWS) return;
      after = { endedAt: last.endedAt, callId: last.callId };
    }
  }
}
