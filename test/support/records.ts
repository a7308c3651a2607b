import pg from 'pg';
import { testEnv } from './test-env';

export interface CallRecordRow {
  call_id: string;
  end_cause: string;
  end_reason: string | null;
  sip_code: number | null;
  direction: string;
  carrier_id: string | null;
  attempts: { carrierId?: string; outcome: string; sipCode?: number; pddMs?: number }[];
  talk_ms: number;
  answered_at: Date | null;
  ended_at: Date;
  callee_username: string | null;
  quality: { caller?: Record<string, number>; callee?: Record<string, number> };
  history: { state: string; at: string }[];
  emergency: boolean;
}

// The call records (call logs) of a caller, oldest first, read straight from PostgreSQL.
export async function callRecordsOf(callerUserId: string): Promise<CallRecordRow[]> {
  const client = new pg.Client({ connectionString: testEnv.databaseUrl });
  await client.connect();
  try {
    const result = await client.query('SELECT call_id, end_cause, end_reason, sip_code, talk_ms, answered_at, ended_at, callee_username, direction, carrier_id, attempts, quality, history, emergency FROM call_records WHERE caller_user_id = $1 ORDER BY requested_at', [callerUserId]);
    return result.rows as CallRecordRow[];
  } finally {
    await client.end();
  }
}
