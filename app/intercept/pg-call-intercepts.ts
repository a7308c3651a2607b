import { type SqlQueries } from '../shared/infra/sql';
import { type CallInterceptReads, type ContentState, type Intercept } from './model';
import { type Identity, type WarrantTarget } from './ports';
import { targetKeysOf, type Warrant, type WarrantStatus } from './warrant';

// The intercept consumer reads these on every call event of every call (requested, routed,
// answered, ended), so they go through plain SQL (app/shared/infra/sql.ts), one prepared statement
// each. They read the database on every event, never a cached view: a warrant committed a moment
// before a call event is seen, whichever instance committed it, and so is an intercept opened
// mid-call by another instance. Why no in-memory set of targets kept current by LISTEN/NOTIFY: a
// notification may reach this instance after the call event it should precede, so such a set is
// exact only with a version read per event, a round trip that costs as much as these reads
// (about 40-70 us of CPU each, measured by bench/call-path-queries.ts).

type WarrantRow = {
  id: string;
  agency_id: string;
  content: boolean;
  valid_from: Date;
  valid_until: Date;
  status: string;
  created_at: Date;
  updated_at: Date;
  deactivated_at: Date | null;
  targets: WarrantTarget[] | null;
};

type InterceptRow = {
  id: string;
  warrant_id: string;
  call_id: string;
  target_role: string;
  target_channel_id: string | null;
  state: string;
  content_state: string;
  content_attempts: number;
  content_error: string | null;
  next_attempt_at: Date | null;
  begun_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
};

// Active warrants in their window with a target among the identity's keys, each with all its
// targets: one statement where the Prisma client needed three.
const WARRANTS_TARGETING = `
  SELECT w.id, w.agency_id, w.content, w.valid_from, w.valid_until, w.status, w.created_at, w.updated_at, w.deactivated_at,
         (SELECT json_agg(json_build_object('type', t.type, 'value', t.value)) FROM li_warrant_targets t WHERE t.warrant_id = w.id) AS targets
    FROM li_warrants w
   WHERE w.id IN (SELECT m.warrant_id FROM li_warrant_targets m
                    JOIN unnest($1::text[], $2::text[]) AS k(type, value) ON m.type = k.type AND m.value = k.value)
     AND w.status = 'active' AND w.valid_from <= $3 AND w.valid_until > $3`;

const INTERCEPTS_OF_CALL = `
  SELECT id, warrant_id, call_id, target_role, target_channel_id, state, content_state, content_attempts, content_error,
         next_attempt_at, begun_at, answered_at, ended_at
    FROM li_intercepts WHERE call_id = $1 ORDER BY begun_at`;

const opt = <T>(value: T | null): T | undefined => value ?? undefined;

function toWarrant(row: WarrantRow): Warrant {
  return {
    id: row.id,
    agencyId: row.agency_id,
    targets: row.targets ?? [],
    content: row.content,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    status: row.status as WarrantStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.deactivated_at ? { deactivatedAt: row.deactivated_at } : {}),
  };
}

function toIntercept(row: InterceptRow): Intercept {
  return {
    id: row.id,
    warrantId: row.warrant_id,
    callId: row.call_id,
    targetRole: row.target_role as Intercept['targetRole'],
    targetChannelId: opt(row.target_channel_id),
    state: row.state as Intercept['state'],
    contentState: row.content_state as ContentState,
    contentAttempts: row.content_attempts,
    contentError: opt(row.content_error),
    nextAttemptAt: opt(row.next_attempt_at),
    begunAt: row.begun_at,
    answeredAt: opt(row.answered_at),
    endedAt: opt(row.ended_at),
  };
}

export class PgCallIntercepts implements CallInterceptReads {
  constructor(private readonly sql: SqlQueries) {}

  async warrantsTargeting(identity: Identity, at: Date): Promise<Warrant[]> {
    const keys = targetKeysOf(identity);
    const rows = await this.sql.query<WarrantRow>(WARRANTS_TARGETING, [keys.map((key) => key.type), keys.map((key) => key.value), at], 'intercept-warrants-targeting');
    return rows.map(toWarrant);
  }

  async interceptsOfCall(callId: string): Promise<Intercept[]> {
    const rows = await this.sql.query<InterceptRow>(INTERCEPTS_OF_CALL, [callId], 'intercept-intercepts-of-call');
    return rows.map(toIntercept);
  }
}
