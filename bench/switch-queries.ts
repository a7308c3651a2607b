// PostgreSQL reads of the switch per call: how often PJSIP realtime reads the SIP identity tables
// (ps_endpoints, ps_auths, ps_aors, ps_contacts, ps_endpoint_id_ips) for one on-net call between two
// registered users, counted as the index and sequential scans of those tables (pg_stat_user_tables)
// over CALLS calls, after one warm-up call. Every scan of a ps_* table but ps_contacts is Asterisk's:
// the controller reads users, not ps_*; it also reads ps_contacts (a callee's devices), and those
// scans are counted apart. Needs the test profile's stack up and migrated and dist/ built:
//   source .helper-env; scripts/stack.sh test start; scripts/migrate.sh test
//   node --require tsx/cjs bench/switch-queries.ts
// Knobs: SWITCH_QUERIES_CALLS=10. Prints its headline figures last.
import pg from 'pg';
import { createUser } from '../test/support/admin-client';
import { AppProcess } from '../test/support/app-process';
import { answerOn, call, device, register } from '../test/support/devices';
import { finalCode } from '../test/support/sipp';
import { testEnv } from '../test/support/test-env';

const CALLS = Number(process.env.SWITCH_QUERIES_CALLS ?? 10);
const TABLES = ['ps_endpoints', 'ps_auths', 'ps_aors', 'ps_contacts', 'ps_endpoint_id_ips'];
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function scans(db: pg.Client): Promise<Map<string, number>> {
  // A backend's counters reach the shared statistics when it goes idle, at most once a second.
  await sleep(1_500);
  const { rows } = await db.query<{ relname: string; scans: string }>(
    'SELECT relname, (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::text AS scans FROM pg_stat_user_tables WHERE relname = ANY($1)',
    [TABLES],
  );
  return new Map(rows.map((row) => [row.relname, Number(row.scans)]));
}

async function oneCall(caller: ReturnType<typeof device>, callee: ReturnType<typeof device>, calleeName: string): Promise<void> {
  const answering = await answerOn(callee, { kind: 'answer', ringMs: 50 });
  const [result] = await Promise.all([call(caller, calleeName, { holdMs: 500, audio: false }).done, answering.done]);
  if (finalCode(result) !== 200) throw new Error(`call failed: ${result.received.join(' | ')}`);
}

async function main(): Promise<void> {
  const db = new pg.Client({ connectionString: testEnv.databaseUrl });
  await db.connect();
  const app = await AppProcess.start();
  try {
    const [alice, bob] = await Promise.all([createUser('sq-alice'), createUser('sq-bob')]);
    const [aliceDevice, bobDevice] = [device(alice), device(bob)];
    await register(aliceDevice);
    await register(bobDevice);
    await oneCall(aliceDevice, bobDevice, bob.username);
    const before = await scans(db);
    for (let i = 0; i < CALLS; i += 1) await oneCall(aliceDevice, bobDevice, bob.username);
    const after = await scans(db);
    const perCall = (table: string): number => ((after.get(table) ?? 0) - (before.get(table) ?? 0)) / CALLS;
    console.log(`${CALLS} on-net calls, one after the other, after a warm-up call; scans per call:`);
    for (const table of TABLES) console.log(`  ${table.padEnd(20)} ${perCall(table).toFixed(1)}`);
    const identity = ['ps_endpoints', 'ps_auths', 'ps_aors', 'ps_endpoint_id_ips'].reduce((sum, table) => sum + perCall(table), 0);
    console.log(`switch_identity_reads_per_call: ${identity.toFixed(1)} scans`);
    console.log(`contacts_reads_per_call: ${perCall('ps_contacts').toFixed(1)} scans`);
  } finally {
    await app.stop();
    await db.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
