import { once } from 'node:events';
import { Router } from 'express';
import { z } from 'zod';
import { type CallLog, type CallRecordFilter, decodeCursor, encodeCursor } from '../../call-log';
import { DIRECTIONS, END_CAUSES } from '../../shared/events';
import { ValidationError } from '../../shared/kernel';
import { UserNotFoundError, type UserService } from '../../users';
import { CSV_HEADER, toCallRecordResponse, toCsvLine } from '../call-records-format';
import { allow, ANY_ROLE } from '../operator-auth';

const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

export const CallRecordsQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    // A user id or username, as caller or callee.
    user: z.string().min(1).max(64).optional(),
    // A caller's or callee's number, or what was dialed.
    number: z.string().min(1).max(64).optional(),
    direction: z.enum(DIRECTIONS).optional(),
    carrier: z.string().min(1).max(64).optional(),
    endCause: z.enum(END_CAUSES).optional(),
    sipCode: z.coerce.number().int().min(100).max(699).optional(),
    minDuration: z.coerce.number().int().min(0).max(86_400).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict();

const StatsQuery = z.object({ bucket: z.coerce.number().int().min(10).max(86_400).default(60), by: z.enum(['time', 'carrier']).default('time') }).passthrough();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function filterOf(query: z.infer<typeof CallRecordsQuery>, users: UserService): Promise<CallRecordFilter> {
  let userId: string | undefined;
  if (query.user) {
    const user = UUID.test(query.user) ? { id: query.user } : await users.findByUsername(query.user);
    if (!user) throw new UserNotFoundError(query.user);
    userId = user.id;
  }
  return {
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
    ...(userId ? { userId } : {}),
    ...(query.number ? { number: query.number } : {}),
    ...(query.direction ? { direction: query.direction } : {}),
    ...(query.carrier ? { carrierId: query.carrier } : {}),
    ...(query.endCause ? { endCause: query.endCause } : {}),
    ...(query.sipCode !== undefined ? { sipCode: query.sipCode } : {}),
    ...(query.minDuration !== undefined ? { minTalkSeconds: query.minDuration } : {}),
  };
}

// Mounted on /v1/call-records: the history of ended calls, newest first. JSON pages (nextCursor),
// or with `Accept: text/csv` (or ?format=csv) every match streamed as CSV, whatever the range.
export function callRecordsRouter(records: Pick<CallLog, 'page' | 'all' | 'stats'>, users: UserService): Router {
  const router = Router();

  // Sums for charts: per time bucket (bucket seconds, 60 by default) or per carrier (by=carrier),
  // over the same filters; at most 2,000 buckets.
  router.get('/stats', allow(...ANY_ROLE), async (req, res) => {
    const { bucket, by, ...rest } = StatsQuery.parse(req.query);
    const query = CallRecordsQuery.parse(rest);
    if (!query.from) throw new ValidationError('stats need a time range (from, and to or now)', {});
    const to = query.to ?? new Date();
    if ((to.getTime() - query.from.getTime()) / 1000 / bucket > 2000) throw new ValidationError('too many buckets: a shorter range or a larger bucket', { bucket });
    const rows = await records.stats(await filterOf({ ...query, to }, users), by === 'carrier' ? 'carrier' : { bucketSeconds: bucket });
    res.json({ rows: rows.map((row) => ({ ...row, ...(row.at ? { at: row.at.toISOString() } : {}) })) });
  });

  router.get('/', allow(...ANY_ROLE), async (req, res) => {
    const query = CallRecordsQuery.parse(req.query);
    const filter = await filterOf(query, users);
    res.vary('Accept');
    const csv = query.format === 'csv' || (query.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    if (csv) {
      res.status(200).type('text/csv; charset=utf-8').set('Content-Disposition', 'attachment; filename="call-records.csv"');
      let gone = false;
      res.on('close', () => (gone = true));
      res.write(`${CSV_HEADER}\n`);
      // Batch by batch from a database cursor, waiting for the client to drain: memory stays flat.
      for await (const batch of records.all(filter)) {
        if (gone) break;
        if (!res.write(`${batch.map(toCsvLine).join('\n')}\n`)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
      res.end();
      return;
    }
    const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
    if (query.cursor && !cursor) throw new ValidationError('the cursor is not one this API gave', { cursor: query.cursor });
    const page = await records.page(filter, query.limit, cursor);
    const last = page.at(-1);
    res.json({
      records: page.map(toCallRecordResponse),
      ...(page.length === query.limit && last ? { nextCursor: encodeCursor({ requestedAt: last.requestedAt, callId: last.callId }) } : {}),
    });
  });

  return router;
}
