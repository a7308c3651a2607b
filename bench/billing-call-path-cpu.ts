// The controller's CPU per operation of billing's call path: authorize (an on-net call on a free
// plan, a paid PSTN call), extend, and routing's retail price, one operation at a time, through
// Prisma (billing without a pool, as before the call path moved to plain SQL) and through plain SQL
// (with the app's pool); then settle, one call per Prisma transaction (the invoice consumer's path
// for a call that comes alone), next to an empty Prisma transaction. process.cpuUsage() around BILLING_CPU_ITERATIONS operations (2,000): the
// driver's and the query compiler's work on this process, not the database's. Against the
// database of DATABASE_URL (a profile's: `. scripts/lib/common.sh && load_profile dev-p1`), with
// `node --require tsx/cjs bench/billing-call-path-cpu.ts`. Leaves a bench user, plan and their
// reservations behind. The last lines are `name: value unit`.
import { randomInt, randomUUID } from 'node:crypto';
import { type BillingService, createBillingModule } from '../app/billing';
import { type CallEnded } from '../app/shared/events';
import { silentLogger } from '../app/shared/infra/logger';
import { createDatabase } from '../app/shared/infra/prisma';
import { createSql } from '../app/shared/infra/sql';
import { unitOfWorkOf } from '../app/shared/infra/unit-of-work';
import { systemClock } from '../app/shared/kernel';

const DATABASE_URL = process.env.DATABASE_URL ?? '';
const ITERATIONS = Number(process.env.BILLING_CPU_ITERATIONS ?? 2000);
const WARM_UP = 100;

async function measure(name: string, op: (i: number) => Promise<unknown>): Promise<string> {
  for (let i = 0; i < WARM_UP; i += 1) await op(ITERATIONS + i);
  const start = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i += 1) await op(i);
  const cpu = process.cpuUsage(start);
  const wallUs = ((performance.now() - started) * 1000) / ITERATIONS;
  return `${name}: ${Math.round((cpu.user + cpu.system) / ITERATIONS)} us CPU/op (${Math.round(wallUs)} us wall/op)`;
}

// A paid call of 90 s, answered at once.
function ended(callId: string, caller: { id: string; username: string; phoneNumber: string }, at: Date): CallEnded {
  const end = new Date(at.getTime() + 90_000).toISOString();
  return {
    id: `ended-${callId}`,
    version: 1,
    type: 'call.v1.ended',
    callId,
    occurredAt: end,
    caller: { userId: caller.id, username: caller.username, phoneNumber: caller.phoneNumber },
    dialed: '+442071234567',
    cause: 'completed',
    requestedAt: at.toISOString(),
    answeredAt: at.toISOString(),
    endedAt: end,
    talkMs: 90_000,
    quality: {},
    history: [],
  };
}

async function run(label: string, billing: BillingService, payer: string, paid: readonly string[]): Promise<string[]> {
  await billing.refreshOnNetRules();
  const at = new Date();
  const call = (callId: string, onNet: boolean) => ({ callId, caller: { userId: payer }, destination: onNet ? '+14155550102' : '+442071234567', onNet, at });
  const check = (answer: { allowed: boolean }): void => {
    if (!answer.allowed) throw new Error(`${label}: a call was refused`);
  };
  return [
    await measure(`${label} authorize on-net`, async () => check(await billing.authorize(call(randomUUID(), true)))),
    await measure(`${label} authorize PSTN`, async (i) => check(await billing.authorize(call(paid[i] ?? '', false)))),
    await measure(`${label} extend`, async (i) => check(await billing.extend(paid[i] ?? ''))),
    await measure(`${label} retail price`, () => billing.retailRateOf(payer, '+442071234567', at)),
  ];
}

async function main(): Promise<void> {
  if (!DATABASE_URL) throw new Error('DATABASE_URL is not set (load a profile)');
  const db = createDatabase({ url: DATABASE_URL, poolSize: 4 });
  const sql = createSql({ url: DATABASE_URL, poolSize: 4, log: silentLogger });
  try {
    const setup = createBillingModule({ db, clock: systemClock });
    const tag = `${Date.now().toString(36)}${randomInt(1000)}`;
    const user = await db.user.create({ data: { username: `bench-cpu-${tag}`, phoneNumber: `+1415${randomInt(200, 1000)}${String(randomInt(10_000)).padStart(4, '0')}` } });
    const plan = await setup.createPricePlan({ name: `bench-cpu-${tag}`, currency: 'USD' });
    // Per second at 0.60/min: a 60 s slice is 0.60, its extension 0.60 more.
    await setup.importRates(plan.id, 'prefix,rate_per_minute,connect_fee,first_increment,next_increment\n44,0.60,,1,1\n1,0.60,,1,1\n');
    await setup.assignPlan(user.id, plan.id);
    await setup.addBalance(user.id, { amount: '100000.00', currency: 'USD', reference: `bench-${tag}` });
    const calls = () => Array.from({ length: ITERATIONS + WARM_UP }, () => randomUUID());
    const [viaPrisma, viaSql] = [calls(), calls()];
    const lines = [
      ...(await run('prisma', createBillingModule({ db, clock: systemClock }), user.id, viaPrisma)),
      ...(await run('sql', createBillingModule({ db, sql, clock: systemClock }), user.id, viaSql)),
      await measure('empty prisma transaction', () => db.$transaction(() => Promise.resolve())),
      await measure('settle in a prisma transaction', (i) => db.$transaction((tx) => setup.settle(unitOfWorkOf(tx), ended(viaSql[i] ?? '', user, new Date())))),
    ];
    for (const line of lines) console.log(line);
  } finally {
    await db.$disconnect();
    await sql.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
