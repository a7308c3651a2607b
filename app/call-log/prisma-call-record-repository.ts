import { type CallEnded } from '../shared/events';
import { type Database } from '../shared/infra/prisma';
import { type CallRecord } from './call-record';
import { type CallRecordRepository } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// A text the event allows but its column cannot hold is cut to the column's width rather than
// refused: a refused insert would stop this record at the consumer and dead-letter it (a lost call
// record). Widths are call_records' (prisma/schema.prisma); cut by characters, as PostgreSQL counts.
const fit = (value: string, width: number): string => {
  const characters = Array.from(value);
  return characters.length <= width ? value : characters.slice(0, width).join('');
};
const fitOrNull = (value: string | undefined, width: number): string | null => (value ? fit(value, width) : null);

export class PrismaCallRecordRepository implements CallRecordRepository {
  constructor(private readonly db: Database) {}

  async insertOnce(event: CallEnded): Promise<boolean> {
    // The call id and the event id are unique keys: a duplicate delivery inserts nothing.
    const { count } = await this.db.callRecord.createMany({
      skipDuplicates: true,
      data: [
        {
          callId: event.callId,
          eventId: event.id,
          // A caller from the phone network has no user.
          callerUserId: event.caller.userId || null,
          callerUsername: fitOrNull(event.caller.username, 40),
          callerNumber: fit(event.caller.phoneNumber, 16),
          dialed: fit(event.dialed, 64),
          // A callee on the phone network (an outbound call) has no user either.
          calleeUserId: event.callee?.userId || null,
          calleeUsername: fitOrNull(event.callee?.username, 40),
          calleeNumber: event.callee ? fit(event.callee.phoneNumber, 16) : null,
          requestedAt: new Date(event.requestedAt),
          ringingAt: event.ringingAt ? new Date(event.ringingAt) : null,
          answeredAt: event.answeredAt ? new Date(event.answeredAt) : null,
          endedAt: new Date(event.endedAt),
          talkMs: event.talkMs,
          endCause: event.cause,
          endReason: fitOrNull(event.reason, 32),
          sipCode: event.sipCode ?? null,
          direction: event.direction ?? 'on-net',
          attempts: event.attempts ?? [],
          carrierId: fitOrNull(event.carrierId, 64),
          quality: event.quality,
          history: event.history,
        },
      ],
    });
    return count === 1;
  }

  async find(callId: string): Promise<CallRecord | undefined> {
    if (!UUID.test(callId)) return undefined;
    const row = await this.db.callRecord.findUnique({ where: { callId } });
    if (!row) return undefined;
    return {
      callId: row.callId,
      caller: { userId: row.callerUserId ?? '', username: row.callerUsername ?? '', phoneNumber: row.callerNumber },
      ...(row.calleeNumber ? { callee: { userId: row.calleeUserId ?? '', username: row.calleeUsername ?? '', phoneNumber: row.calleeNumber } } : {}),
      dialed: row.dialed,
      requestedAt: row.requestedAt,
      ...(row.ringingAt ? { ringingAt: row.ringingAt } : {}),
      ...(row.answeredAt ? { answeredAt: row.answeredAt } : {}),
      endedAt: row.endedAt,
      talkMs: row.talkMs,
      endCause: row.endCause,
      ...(row.endReason ? { endReason: row.endReason } : {}),
      ...(row.sipCode !== null ? { sipCode: row.sipCode } : {}),
      direction: row.direction,
      attempts: row.attempts as CallRecord['attempts'],
      ...(row.carrierId ? { carrierId: row.carrierId } : {}),
      quality: row.quality as CallRecord['quality'],
      history: row.history as CallRecord['history'],
    };
  }
}
