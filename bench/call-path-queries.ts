// CPU of the controller per database operation of the call path, Prisma against plain SQL: each
// query the intercept, call-log, session, users, carriers and routing (speed layer) modules make
// per call, as the Prisma client sent it before (the same calls, inline here) and as their
// plain-SQL adapters send it now (app/shared/infra/sql.ts, named prepared statements). Sequential,
// one operation at a time: process.cpuUsage() (user + system) and wall time over ITERATIONS
// operations after a warm-up. The figures are the Node process's own cost; PostgreSQL's is not in
// them. Needs a migrated database: DATABASE_URL=... node --require tsx/cjs bench/call-path-queries.ts
// (e.g. a profile's URL: `. scripts/lib/common.sh; load_profile dev-p2; echo $DATABASE_URL`).
// Knobs: CALL_PATH_ITERATIONS=2000. Leaves nothing behind (its rows are deleted at the end).
import { randomInt, randomUUID } from 'node:crypto';
import { PgCallRecordRepository } from '../app/call-log/pg-call-record-repository';
import { createCarriersModule } from '../app/carriers';
import { PgCarrierLookups } from '../app/carriers/pg-carrier-lookups';
import { PgCallIntercepts } from '../app/intercept/pg-call-intercepts';
import { targetKeysOf } from '../app/intercept/warrant';
import { emptyCounters } from '../app/routing';
import { PgSpeedMinutes } from '../app/routing/pg-speed-minutes';
import { PgContactRegistry } from '../app/session/pg-contact-registry';
import { type CallEnded } from '../app/shared/events';
import { applyOnce } from '../app/shared/infra/jetstream';
import { silentLogger } from '../app/shared/infra/logger';
import { createDatabase } from '../app/shared/infra/prisma';
import { createSql } from '../app/shared/infra/sql';
import { systemClock } from '../app/shared/kernel';
import { createUsersModule } from '../app/users';
import { PgUserLookups } from '../app/users/pg-user-lookups';

const ITERATIONS = Number(process.env.CALL_PATH_ITERATIONS ?? 2000);
const WARM_UP = 500;

// Every operation is warmed up before any is measured: the first one measured would otherwise also
// pay for the JIT compilation of code the others share (pg's client, the event loop's paths).
async function warmUp(operations: Array<[string, (i: number) => Promise<unknown>]>): Promise<void> {
  for (const [, operation] of operations) for (let i = 0; i < WARM_UP; i += 1) await operation(-1 - i);
}

async function measure(name: string, operation: (i: number) => Promise<unknown>): Promise<{ name: string; cpuUs: number; wallUs: number }> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i += 1) await operation(i);
  const used = process.cpuUsage(cpu);
  const wallUs = Number(process.hrtime.bigint() - started) / 1000 / ITERATIONS;
  return { name, cpuUs: (used.user + used.system) / ITERATIONS, wallUs };
}

function endedCall(tag: string, i: number): CallEnded {
  return {
    id: `${tag}-${i}`,
    version: 1,
    type: 'call.v1.ended',
    callId: randomUUID(),
    occurredAt: '2026-11-25T10:01:05.000Z',
    caller: { userId: randomUUID(), username: 'alice', phoneNumber: '+14155550101' },
    callee: { userId: randomUUID(), username: 'bob', phoneNumber: '+14155550102' },
    dialed: 'bob',
    cause: 'completed',
    requestedAt: '2026-11-25T10:00:00.123Z',
    ringingAt: '2026-11-25T10:00:00.456Z',
    answeredAt: '2026-11-25T10:00:02.789Z',
    endedAt: '2026-11-25T10:01:05.000Z',
    talkMs: 62_211,
    direction: 'on-net',
    attempts: [{ outcome: 'answered', pddMs: 14 }],
    quality: { caller: { rxPackets: 67, txPackets: 66, rxJitterMs: 0.5, txJitterMs: 0.375, rxPacketsLost: 0, txPacketsLost: 1 } },
    history: [
      { state: 'requested', at: '2026-11-25T10:00:00.123Z' },
      { state: 'ended', at: '2026-11-25T10:01:05.000Z' },
    ],
  };
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const db = createDatabase({ url, poolSize: 2 });
  const sql = createSql({ url, poolSize: 2, log: silentLogger });
  const tag = `cpq-${Date.now().toString(36)}`;
  const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: 'bench.local', maxDevicesPerUser: 1 } });
  const carriers = createCarriersModule({ db, sql, clock: systemClock, registrations: { apply: () => Promise.resolve(), purge: () => Promise.resolve() } });
  const user = await users.create({ username: `${tag}u`, password: 'bench-password', phoneNumber: `+1415${randomInt(200, 1000)}${String(randomInt(10_000)).padStart(4, '0')}` });
  const carrier = await carriers.service.create({ name: `${tag}-carrier`, host: '192.0.2.40' });
  const contactId = `${user.username}^3B@${tag}`;
  await db.psContact.create({ data: { id: contactId, endpoint: user.username, uri: `sip:${user.username}@127.0.0.1:40000`, expirationTime: BigInt(Math.floor(Date.now() / 1000) + 3600) } });
  // A party no warrant names and a call with no intercept: what almost every call event is.
  const party = { userId: randomUUID(), username: `${tag}p`, phoneNumber: '+14155550199' };
  const callId = randomUUID();
  const speedCarrier = `${tag}-speed`;
  const contribution = { carrierId: speedCarrier, prefix: '44', counters: { ...emptyCounters(), attempts: 1, answered: 1, talkMs: 60_000 } };

  const intercepts = new PgCallIntercepts(sql);
  const contacts = new PgContactRegistry(sql);
  const lookups = new PgUserLookups(sql);
  const carrierLookups = new PgCarrierLookups(sql);
  const records = new PgCallRecordRepository(sql);
  const minutes = new PgSpeedMinutes(sql);
  const now = (): bigint => BigInt(Math.floor(Date.now() / 1000));
  const results: Array<{ name: string; cpuUs: number; wallUs: number }> = [];
  try {
    const operations: Array<[string, (i: number) => Promise<unknown>]> = [
      ['intercept warrantsTargeting, Prisma', () => db.liWarrantTarget.findMany({ where: { OR: targetKeysOf(party).map((key) => ({ type: key.type, value: key.value })) }, select: { warrantId: true } })],
      ['intercept warrantsTargeting, plain SQL', () => intercepts.warrantsTargeting(party, new Date())],
      ['intercept interceptsOfCall, Prisma', () => db.liIntercept.findMany({ where: { callId }, orderBy: { begunAt: 'asc' } })],
      ['intercept interceptsOfCall, plain SQL', () => intercepts.interceptsOfCall(callId)],
      ['session contacts activeOf, Prisma', () => db.psContact.findMany({ where: { endpoint: user.username, expirationTime: { gt: now() } }, orderBy: { expirationTime: 'desc' } })],
      ['session contacts activeOf, plain SQL', () => contacts.activeOf(user.username, new Date())],
      ['users findActiveByUsername, Prisma', () => db.user.findFirst({ where: { username: user.username, deletedAt: null } })],
      ['users findActiveByUsername, plain SQL', () => lookups.findActiveByUsername(user.username)],
      ['carriers find, Prisma', () => db.carrier.findFirst({ where: { id: carrier.id, deletedAt: null } })],
      ['carriers find, plain SQL', () => carrierLookups.find(carrier.id)],
      ['call-log insertOnce, Prisma', (i) => {
        const event = endedCall(`${tag}-prisma`, i);
        return db.callRecord.createMany({
          skipDuplicates: true,
          data: [{ callId: event.callId, eventId: event.id, callerUserId: event.caller.userId, callerUsername: event.caller.username, callerNumber: event.caller.phoneNumber, dialed: event.dialed, calleeUserId: event.callee?.userId ?? null, calleeUsername: event.callee?.username ?? null, calleeNumber: event.callee?.phoneNumber ?? null, requestedAt: new Date(event.requestedAt), ringingAt: new Date(event.ringingAt ?? 0), answeredAt: new Date(event.answeredAt ?? 0), endedAt: new Date(event.endedAt), talkMs: event.talkMs, endCause: event.cause, endReason: null, sipCode: null, direction: 'on-net', attempts: event.attempts ?? [], carrierId: null, quality: event.quality, history: event.history }],
        });
      }],
      ['call-log insertOnce, plain SQL', (i) => records.insertOnce(endedCall(`${tag}-sql`, i))],
      ['routing speed minutes applyOnce, Prisma', (i) =>
        applyOnce(db, `${tag}-prisma`, `e${i}`, async (tx) => {
          await tx.$queryRaw`
            INSERT INTO routing_quality_minutes AS m (carrier_id, prefix, minute, attempts, answered, talk_ms, pdd_count, pdd_ms, media_count, mes_count, mes_milli, jitter_micros, rx_packets, lost_packets, updated_at)
            SELECT u.carrier_id, u.prefix, ${new Date('2026-11-25T10:00:00Z')}::timestamptz, u.attempts, u.answered, u.talk_ms, 0, 0, 0, 0, 0, 0, 0, 0, now()
            FROM unnest(${[speedCarrier]}::text[], ${['44']}::text[], ${[1]}::int[], ${[1]}::int[], ${['60000']}::bigint[]) AS u(carrier_id, prefix, attempts, answered, talk_ms)
            ON CONFLICT (carrier_id, prefix, minute) DO UPDATE SET attempts = m.attempts + EXCLUDED.attempts, answered = m.answered + EXCLUDED.answered, talk_ms = m.talk_ms + EXCLUDED.talk_ms, updated_at = now()
            RETURNING m.carrier_id, m.prefix, m.minute, m.attempts, m.answered, m.talk_ms, m.pdd_count, m.pdd_ms, m.media_count, m.mes_count, m.mes_milli, m.jitter_micros, m.rx_packets, m.lost_packets, m.updated_at`;
        }),
      ],
      ['routing speed minutes applyOnce, plain SQL', (i) => minutes.applyOnce(`${tag}-sql`, `e${i}`, new Date('2026-11-25T10:00:00Z'), [contribution])],
    ];
    await warmUp(operations);
    for (const [name, operation] of operations) results.push(await measure(name, operation));
  } finally {
    await db.callRecord.deleteMany({ where: { eventId: { startsWith: tag } } });
    await db.processedEvent.deleteMany({ where: { consumer: { startsWith: tag } } });
    await db.$executeRaw`DELETE FROM routing_quality_minutes WHERE carrier_id = ${speedCarrier}`;
    await db.psContact.deleteMany({ where: { id: contactId } });
    await db.registrationChange.deleteMany({ where: { contactId } });
    await carriers.service.delete(carrier.id);
    await users.delete(user.id);
    await db.$disconnect();
    await sql.end();
  }
  console.log(`${ITERATIONS} operations each, sequential; CPU of this process per operation (user + system) and wall time`);
  for (const r of results) console.log(`${r.name.padEnd(46)} ${r.cpuUs.toFixed(0).padStart(6)} us CPU   ${r.wallUs.toFixed(0).padStart(6)} us wall`);
  // Headline: the same queries, once each, through either client (one of each kind per call).
  const total = (suffix: string): number => results.filter((r) => r.name.endsWith(suffix)).reduce((sum, r) => sum + r.cpuUs, 0);
  const [viaPrisma, viaSql] = [total(', Prisma'), total(', plain SQL')];
  console.log(`queries_cpu_prisma: ${viaPrisma.toFixed(0)} us`);
  console.log(`queries_cpu_sql: ${viaSql.toFixed(0)} us`);
  console.log(`queries_cpu_ratio: ${(viaSql / viaPrisma).toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
