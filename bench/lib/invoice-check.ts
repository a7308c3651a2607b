import { type CallEnded } from '../../app/shared/events';
import { type Database } from '../../app/shared/infra/prisma';

// What the invoice bench verifies after a run, straight from PostgreSQL: every answered call has
// exactly one invoice line and at most one charge, statements add up, accounts match their ledger.
export interface ResultCheck {
  calls: number;
  answered: number;
  lines: number;
  callsWithLines: number;
  // Lines beyond one per call, plus calls charged more than once: must be 0.
  duplicates: number;
  duplicateLines: number;
  callsChargedTwice: number;
  // Answered calls without a line: must be 0.
  missing: number;
  processedMarks: number;
  // Statements whose total or line count differs from their lines; accounts whose balance or
  // reserved credit differs from the sums of their ledger entries: must be 0.
  statementMismatches: number;
  ledgerMismatches: number;
}

export async function checkResult(db: Database, calls: readonly CallEnded[], consumer: string, userIds: readonly string[]): Promise<ResultCheck> {
  const callIds = calls.map((call) => call.callId);
  const answered = calls.filter((call) => call.answeredAt !== undefined).map((call) => call.callId);
  const [lines] = await db.$queryRaw<Array<{ lines: number; calls: number }>>`
    SELECT COUNT(*)::int AS lines, COUNT(DISTINCT call_id)::int AS calls FROM invoice_lines WHERE call_id = ANY(${callIds}::uuid[])`;
  const [charged] = await db.$queryRaw<Array<{ twice: number }>>`
    SELECT COUNT(*)::int AS twice FROM (
      SELECT call_id FROM ledger_entries WHERE kind = 'charge' AND call_id = ANY(${callIds}::uuid[]) GROUP BY call_id HAVING COUNT(*) > 1
    ) AS c`;
  const [missing] = await db.$queryRaw<Array<{ missing: number }>>`
    SELECT COUNT(*)::int AS missing FROM UNNEST(${answered}::uuid[]) AS a(call_id)
    WHERE NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.call_id = a.call_id)`;
  const [statements] = await db.$queryRaw<Array<{ mismatches: number }>>`
    SELECT COUNT(*)::int AS mismatches FROM invoices i
    CROSS JOIN LATERAL (SELECT COALESCE(SUM(l.amount_minor), 0)::bigint AS total, COUNT(*)::int AS n FROM invoice_lines l WHERE l.invoice_id = i.id) s
    WHERE i.user_id = ANY(${userIds}::uuid[]) AND (i.total_minor, i.line_count) IS DISTINCT FROM (s.total, s.n)`;
  // balance = topups - charges; reserved = reserves - releases - charges (app/billing/account.ts).
  const [ledger] = await db.$queryRaw<Array<{ mismatches: number }>>`
    SELECT COUNT(*)::int AS mismatches FROM accounts a
    LEFT JOIN (
      SELECT user_id,
        SUM(CASE kind WHEN 'topup' THEN amount_minor WHEN 'charge' THEN -amount_minor ELSE 0 END) AS balance,
        SUM(CASE kind WHEN 'reserve' THEN amount_minor WHEN 'release' THEN -amount_minor WHEN 'charge' THEN -amount_minor ELSE 0 END) AS reserved
      FROM ledger_entries WHERE user_id = ANY(${userIds}::uuid[]) GROUP BY user_id
    ) s USING (user_id)
    WHERE a.user_id = ANY(${userIds}::uuid[])
      AND (a.balance_minor, a.reserved_minor) IS DISTINCT FROM (COALESCE(s.balance, 0), COALESCE(s.reserved, 0))`;
  const processedMarks = await db.processedEvent.count({ where: { consumer } });
  const duplicateLines = (lines?.lines ?? 0) - (lines?.calls ?? 0);
  const callsChargedTwice = charged?.twice ?? 0;
  return {
    calls: calls.length,
    answered: answered.length,
    lines: lines?.lines ?? 0,
    callsWithLines: lines?.calls ?? 0,
    duplicates: duplicateLines + callsChargedTwice,
    duplicateLines,
    callsChargedTwice,
    missing: missing?.missing ?? 0,
    processedMarks,
    statementMismatches: statements?.mismatches ?? 0,
    ledgerMismatches: ledger?.mismatches ?? 0,
  };
}
