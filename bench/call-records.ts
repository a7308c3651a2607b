// The call history on real volume: CALL_RECORDS_ROWS call records (10 million by default) seeded
// in SQL (generate_series, in chunks; kept for the next run), then through the running controller's
// admin API: the latency of filtered pages (GET /v1/call-records, 50 records, each filter the
// console uses: a user, a number, a carrier with a minimum duration, an hour with an end cause, a
// SIP code), and a CSV export of one day (Accept: text/csv) in rows per second. Started by
// bench/call-records, which runs the controller (CALL_RECORDS_APP_PID). The last lines are
// `name: value unit`.
import { createHash } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { createCallLogModule } from '../app/call-log';
import { whereOf } from '../app/call-log/call-record-query';
import { RECORD_COLUMNS } from '../app/call-log/call-record-rows';
import { silentLogger } from '../app/shared/infra/logger';
import { createSql } from '../app/shared/infra/sql';
import { percentiles } from './lib/stats';

const env = process.env;
const ROWS = Number(env.CALL_RECORDS_ROWS ?? 10_000_000);
const PAGES = Number(env.CALL_RECORDS_PAGES ?? 200);
const ADMIN_URL = `http://${env.ADMIN_HOST ?? '127.0.0.1'}:${env.ADMIN_PORT ?? '8080'}`;
const TOKEN = env.ADMIN_TOKEN ?? '';
const DATABASE_URL = env.DATABASE_URL ?? '';
const CHUNK = 500_000;
const USERS = 100_000;
const CARRIERS = 10;
const DAYS = 30;
// The seeded month ends at this instant, so reruns find the same rows.
const END = Date.parse('2026-11-30T00:00:00Z');
const START = END - DAYS * 86_400_000;

const progress = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const userId = (n: number): string => uuidOfMd5(`u${n}`);
const carrierId = (n: number): string => uuidOfMd5(`c${n}`);
// PostgreSQL's md5(text)::uuid, here.
function uuidOfMd5(text: string): string {
  const hex = createHash('md5').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// One chunk of records: g numbers the call; h is a cheap deterministic scramble of it that picks
// the user, the kind of call and its outcome. 70% on-net, 20% outbound through one of 10
// carriers, 10% inbound; 60% completed, the rest busy, no answer, declined or failed.
const SEED = `
  INSERT INTO call_records (call_id, event_id, caller_user_id, caller_username, caller_number, dialed, callee_user_id, callee_username,
    callee_number, requested_at, ringing_at, answered_at, ended_at, talk_ms, end_cause, sip_code, direction, carrier_id, quality, history,
    attempts, created_at, node, carrier_cost_micros, carrier_currency)
  SELECT md5('bench-call-' || g)::uuid, 'bench-' || g,
    CASE WHEN kind < 90 THEN md5('u' || caller)::uuid END, CASE WHEN kind < 90 THEN 'user' || caller END,
    CASE WHEN kind < 90 THEN '+1415' || lpad(caller::text, 7, '0') ELSE '+4420' || lpad((h % 10000000)::text, 7, '0') END,
    CASE WHEN kind < 70 THEN 'user' || callee WHEN kind < 90 THEN '+4420' || lpad((h % 10000000)::text, 7, '0') ELSE '+1415' || lpad(callee::text, 7, '0') END,
    CASE WHEN kind < 70 OR kind >= 90 THEN md5('u' || callee)::uuid END, CASE WHEN kind < 70 OR kind >= 90 THEN 'user' || callee END,
    CASE WHEN kind < 70 OR kind >= 90 THEN '+1415' || lpad(callee::text, 7, '0') END,
    at, at + interval '1 second', CASE WHEN outcome < 60 THEN at + interval '4 seconds' END,
    at + interval '4 seconds' + CASE WHEN outcome < 60 THEN talk * interval '1 ms' ELSE interval '0' END,
    CASE WHEN outcome < 60 THEN talk ELSE 0 END,
    CASE WHEN outcome < 60 THEN 'completed' WHEN outcome < 75 THEN 'no_answer' WHEN outcome < 85 THEN 'busy' WHEN outcome < 95 THEN 'declined' ELSE 'failed' END,
    CASE WHEN outcome < 60 THEN 200 WHEN outcome < 75 THEN 480 WHEN outcome < 85 THEN 486 WHEN outcome < 95 THEN 603 ELSE 503 END,
    CASE WHEN kind < 70 THEN 'on-net' WHEN kind < 90 THEN 'outbound' ELSE 'inbound' END,
    CASE WHEN kind >= 70 THEN md5('c' || (h % ${CARRIERS}))::uuid::text END,
    '{"caller":{"rxPackets":500,"txPackets":500,"rxPacketsLost":1,"txPacketsLost":0,"rxJitterMs":1.2,"txJitterMs":0.9,"mes":92}}'::jsonb,
    '[]'::jsonb, '[]'::jsonb, at, 'bench-node-1',
    CASE WHEN kind >= 70 AND kind < 90 AND outcome < 60 THEN talk * 10 END, CASE WHEN kind >= 70 AND kind < 90 AND outcome < 60 THEN 'USD' END
  FROM (
    SELECT g, h, h % ${USERS} AS caller, (h / ${USERS}) % ${USERS} AS callee, (h / 7) % 100 AS kind, (h / 701) % 100 AS outcome,
      (h % 600000) AS talk, to_timestamp(${START / 1000}) + (g * ${(DAYS * 86_400_000) / ROWS}) * interval '1 ms' AS at
    FROM (SELECT g, (g * 2654435761) % 4294967296 AS h FROM generate_series($1::bigint, $2::bigint) g) s
  ) calls
`;

// A fresh seed: the bench's earlier rows deleted, call_records' secondary indexes dropped, the rows
// inserted in chunks, the indexes built again from their saved definitions (much faster than
// keeping nine indexes up to date row by row), then ANALYZE.
async function seed(db: pg.Client): Promise<void> {
  const [row] = (await db.query<{ n: string }>("SELECT count(*) AS n FROM call_records WHERE event_id >= 'bench-' AND event_id < 'bench.'")).rows;
  const have = Number(row?.n ?? 0);
  if (have === ROWS) {
    progress(`${have} seeded call records found, not seeding`);
    return;
  }
  progress(`seeding ${ROWS} call records (${have} of an earlier seed deleted first)`);
  const started = Date.now();
  await db.query("SET maintenance_work_mem = '512MB'; SET synchronous_commit = off");
  if (have > 0) await db.query("DELETE FROM call_records WHERE event_id >= 'bench-' AND event_id < 'bench.'");
  const indexes = (await db.query<{ name: string; definition: string }>(
    "SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE tablename = 'call_records' AND indexname <> 'call_records_pkey' AND indexdef NOT LIKE 'CREATE UNIQUE%'",
  )).rows;
  for (const index of indexes) await db.query(`DROP INDEX ${index.name}`);
  try {
    for (let from = 1; from <= ROWS; from += CHUNK) {
      await db.query(SEED, [from, Math.min(ROWS, from + CHUNK - 1)]);
      progress(`seeded ${Math.min(ROWS, from + CHUNK - 1)} (${Math.round((Date.now() - started) / 1000)} s)`);
    }
  } finally {
    for (const index of indexes) {
      await db.query(index.definition);
      progress(`index ${index.name} built (${Math.round((Date.now() - started) / 1000)} s)`);
    }
  }
  await db.query('ANALYZE call_records');
  progress(`seeded in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function timedGet(query: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${ADMIN_URL}/v1/call-records?${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body = (await res.json()) as { records?: unknown[] };
  if (res.status !== 200 || !body.records) throw new Error(`GET /v1/call-records?${query}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return performance.now() - started;
}

const iso = (ms: number): string => encodeURIComponent(new Date(ms).toISOString());

// The filters an operator uses, each with varying values; a page is 50 records.
const FILTERS = ['user', 'number', 'carrier and minimum duration', 'hour and end cause', 'day and SIP code'];
function queryFor(i: number): string {
  const hour = START + (i % (DAYS * 24)) * 3_600_000;
  switch (i % 5) {
    case 0: return `user=${userId((i * 7919) % USERS)}&limit=50`;
    case 1: return `number=%2B1415${String((i * 104_729) % USERS).padStart(7, '0')}&limit=50`;
    case 2: return `carrier=${carrierId(i % CARRIERS)}&minDuration=60&limit=50`;
    case 3: return `from=${iso(hour)}&to=${iso(hour + 3_600_000)}&endCause=busy&limit=50`;
    default: return `from=${iso(hour)}&to=${iso(hour + 86_400_000)}&sipCode=503&limit=50`;
  }
}

async function exportDay(): Promise<{ rows: number; seconds: number }> {
  const day = START + 10 * 86_400_000;
  const started = performance.now();
  const res = await fetch(`${ADMIN_URL}/v1/call-records?from=${iso(day)}&to=${iso(day + 86_400_000)}`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/csv' } });
  if (res.status !== 200 || !res.body) throw new Error(`CSV export: ${res.status}`);
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) for (const byte of chunk) if (byte === 10) lines += 1;
  return { rows: lines - 1, seconds: (performance.now() - started) / 1000 };
}

// The same-run baseline of the user filter, straight on the database: a page as the history read it
// before (one WHERE with caller OR callee: every record of the user fetched, then sorted) against
// the page as it reads it now (app/call-log: each column's index newest first, a page at most),
// alternately, each on users not read before in this run (cold pages, as the bench's pages are).
async function userPageBaseline(): Promise<{ before: number; now: number }> {
  const sql = createSql({ url: DATABASE_URL, poolSize: 1, log: silentLogger });
  const log = createCallLogModule({ sql, log: silentLogger });
  const before: number[] = [];
  const now: number[] = [];
  try {
    for (let i = 0; i < 300; i += 1) {
      const old = whereOf({ userId: userId(50_000 + i * 2) });
      let started = performance.now();
      await sql.query(`SELECT ${RECORD_COLUMNS} FROM call_records cr LEFT JOIN invoice_lines il ON il.call_id = cr.call_id ${old.clause} ORDER BY cr.requested_at DESC, cr.call_id DESC LIMIT 50`, old.values);
      before.push(performance.now() - started);
      started = performance.now();
      await log.page({ userId: userId(50_001 + i * 2) }, 50);
      now.push(performance.now() - started);
    }
  } finally {
    await sql.end();
  }
  const b = percentiles(before);
  const n = percentiles(now);
  progress(`user page on the database, same run: one WHERE with OR p50 ${b?.p50.toFixed(1)} ms p95 ${b?.p95.toFixed(1)} ms; per-column branches p50 ${n?.p50.toFixed(1)} ms p95 ${n?.p95.toFixed(1)} ms`);
  return { before: b?.p95 ?? NaN, now: n?.p95 ?? NaN };
}

async function main(): Promise<void> {
  if (!TOKEN || !DATABASE_URL) throw new Error('run through bench/call-records (it starts the controller and sets ADMIN_TOKEN, DATABASE_URL)');
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    await seed(db);
  } finally {
    await db.end();
  }
  for (let i = 0; i < 20; i += 1) await timedGet(queryFor(i));
  const latencies: number[] = [];
  const byFilter: number[][] = FILTERS.map(() => []);
  for (let i = 0; i < PAGES; i += 1) {
    const ms = await timedGet(queryFor(i + 20));
    latencies.push(ms);
    byFilter[(i + 20) % FILTERS.length]?.push(ms);
  }
  const pages = percentiles(latencies);
  progress(`pages: ${JSON.stringify(pages)}`);
  // Which filter makes the p95.
  FILTERS.forEach((name, f) => {
    const figures = percentiles(byFilter[f] ?? []);
    progress(`pages by ${name}: p50 ${figures?.p50.toFixed(1)} ms, p95 ${figures?.p95.toFixed(1)} ms, max ${figures?.max.toFixed(1)} ms`);
  });
  const baseline = await userPageBaseline();
  const exported = await exportDay();
  progress(`CSV export of one day: ${exported.rows} rows in ${exported.seconds.toFixed(1)} s`);
  console.log(`machine: ${cpus().length} cores ${cpus()[0]?.model ?? ''}, ${Math.round(totalmem() / 2 ** 30)} GiB`);
  console.log(`call records: ${ROWS} rows`);
  console.log(`filtered page p50: ${pages?.p50.toFixed(1)} ms`);
  console.log(`filtered page p95: ${pages?.p95.toFixed(1)} ms`);
  console.log(`user page p95, one WHERE with OR (before): ${baseline.before.toFixed(1)} ms`);
  console.log(`user page p95, per-column branches (now): ${baseline.now.toFixed(1)} ms`);
  console.log(`csv export: ${Math.round(exported.rows / exported.seconds)} rows/s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
