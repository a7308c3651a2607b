import { type SqlQueries } from '../shared/infra/sql';
import { type CallInterceptReads, type Intercept } from './model';
import { type Identity, type WarrantTarget } from './ports';
import { type InterceptRow, toIntercept, toWarrant, type WarrantColumns } from './prisma-intercept-rows';
import { targetKeysOf, type Warrant } from './warrant';

// The intercept consumer reads these on every call event of every call (requested, routed,
// answered, ended), so they go through plain SQL (app/shared/infra/sql.ts), one prepared statement
// each. They read the database on every event, never a cached view: a warrant committed a moment
// before a call event is seen, whichever instance committed it, and so is an intercept opened
// mid-call by another instance. Why no in-memory set of targets kept current by LISTEN/NOTIFY: a
// notification may reach this instance after the call event it should precede, so such a set is
// exact only with a version read per event, a round trip that costs as much as these reads
// (about 40-70 us of CPU each, measured by bench/call-path-queries.ts).

// The Prisma rows' names (prisma-intercept-rows.ts), so both adapters map rows with one function.
type WarrantRow = WarrantColumns & { targets: WarrantTarget[] | null };

// Active warrants in their window with a target among the identity's keys, each with all its
// targets: one statement where the Prisma client needed three.
const WARRANTS_TARGETING = `
  SELECT w.id, w.agency_id AS "agencyId", w.content, w.valid_from AS "validFrom", w.valid_until AS "validUntil", w.status,
         w.created_at AS "createdAt", w.updated_at AS "updatedAt", w.deactivated_at AS "deactivatedAt",
         (SELECT json_agg(json_build_object('type', t.type, 'value', t.value)) FROM li_warrant_targets t WHERE t.warrant_id = w.id) AS targets
    FROM li_warrants w
   WHERE w.id IN (SELECT m.warrant_id FROM li_warrant_targets m
                    JOIN unnest($1::text[], $2::text[]) AS k(type, value) ON m.type = k.type AND m.value = k.value)
     AND w.status = 'active' AND w.valid_from <= $3 AND w.valid_until > $3`;

const INTERCEPTS_OF_CALL = `
  SELECT id, warrant_id AS "warrantId", call_id AS "callId", target_role AS "targetRole", target_channel_id AS "targetChannelId",
         state, content_state AS "contentState", content_attempts AS "contentAttempts", content_error AS "contentError",
         next_attempt_at AS "nextAttemptAt", begun_at AS "begunAt", answered_at AS "answeredAt", ended_at AS "endedAt"
    FROM li_intercepts WHERE call_id = $1 ORDER BY begun_at`;

export class PgCallIntercepts implements CallInterceptReads {
  constructor(private readonly sql: SqlQueries) {}

  async warrantsTargeting(identity: Identity, at: Date): Promise<Warrant[]> {
    const keys = targetKeysOf(identity);
    const rows = await this.sql.query<WarrantRow>(WARRANTS_TARGETING, [keys.map((key) => key.type), keys.map((key) => key.value), at], 'intercept-warrants-targeting');
    return rows.map((row) => toWarrant(row, row.targets ?? []));
  }

  async interceptsOfCall(callId: string): Promise<Intercept[]> {
    const rows = await this.sql.query<InterceptRow>(INTERCEPTS_OF_CALL, [callId], 'intercept-intercepts-of-call');
    return rows.map(toIntercept);
  }
}
