import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type BillingService, type CallPathStores, createBillingModule } from '../../../app/billing';
import { PgCallPathPersistence } from '../../../app/billing/pg-call-path-persistence';
import { PrismaBillingPersistence } from '../../../app/billing/prisma-billing-persistence';
import { type NewReservation } from '../../../app/billing/reservation';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { unitOfWorkOf } from '../../../app/shared/infra/unit-of-work';
import { systemClock } from '../../../app/shared/kernel';
import { testEnv } from '../../support/test-env';
import { endedEvent, ledgerSums, newUser, PLAN_CSV_HEADER, uniquePlanName } from './support';

// A gate a test opens when it wants the work behind it to go on.
function gate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

const byPrefixAndBand = (a: { prefix: string; timeFromMinute?: number }, b: { prefix: string; timeFromMinute?: number }): number =>
  a.prefix.localeCompare(b.prefix) || (a.timeFromMinute ?? -1) - (b.timeFromMinute ?? -1);

// The call path's plain SQL stores (app/billing/pg-*.ts) against the real PostgreSQL, next to the
// Prisma stores they replace on the call path: the same values read, the same rows written, the
// same locking, conflicts and rollbacks.
describe('integration: billing call path stores in plain SQL', function () {
  this.timeout(30_000);
  let db: Database;
  let sql: Sql;
  let billing: BillingService;
  let pg: PgCallPathPersistence;
  let prisma: PrismaBillingPersistence;
  let planId: string;

  const paidUser = async (amount: string) => {
    const user = await newUser(db);
    await billing.assignPlan(user.id, planId);
    await billing.addBalance(user.id, { amount, currency: 'EUR', reference: `seed-${randomUUID()}` });
    return user;
  };
  const reservationOf = (userId: string, callId = randomUUID()): NewReservation => ({
    callId,
    userId,
    currency: 'EUR',
    destination: '+442071234567',
    planId,
    prefix: '44',
    ratePerMinuteMicros: 600_000n,
    connectFeeMinor: 10n,
    firstIncrementSeconds: 60,
    nextIncrementSeconds: 60,
    rounding: 'up',
    reservedMinor: 70n,
    reservedSeconds: 60,
    free: false,
  });
  // The lock is read inside a transaction of each adapter, as the call path reads it.
  const lockIn = (stores: CallPathStores, userId: string) =>
    stores === pg.stores ? pg.transaction((tx) => tx.accounts.lock(userId)) : prisma.transaction((tx) => tx.accounts.lock(userId));
  const waitingOnLocks = async (): Promise<number> =>
    Number((await db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)[0]?.n ?? 0n);

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 6 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 6, log: silentLogger });
    billing = createBillingModule({ db, clock: systemClock });
    pg = new PgCallPathPersistence(sql);
    prisma = new PrismaBillingPersistence(db);
    const plan = await billing.createPricePlan({ name: uniquePlanName('pg'), currency: 'EUR', onNetRatePerMinute: '0.015', onNetConnectFee: '0.02', rounding: 'nearest', timeZone: 'Europe/Paris' });
    planId = plan.id;
    await billing.importRates(planId, `${PLAN_CSV_HEADER},description\n44,0.60,0.10,60,60,,,UK\n4420,0.40,,,,,,\n4420,0.20,,1,1,22:00,06:00,London nights\n`);
  });

  after(async function () {
    await db?.$disconnect();
    await sql?.end();
  });

  it('given rows written by billing, then the plain SQL stores read the same values and types as the Prisma stores', async function () {
    const user = await newUser(db);
    await billing.assignPlan(user.id, planId);
    await billing.addBalance(user.id, { amount: '3.00', currency: 'EUR', reference: `seed-${randomUUID()}` });
    const [paid, onNet] = [randomUUID(), randomUUID()];
    // Noon in Paris: London's all-day rate.
    const noon = new Date('2026-11-25T11:00:00Z');
    await billing.authorize({ callId: paid, caller: { userId: user.id }, destination: '+442071234567', onNet: false, at: noon });
    await billing.authorize({ callId: onNet, caller: { userId: user.id }, destination: '+14155550100', onNet: true, at: noon });
    await db.$transaction((tx) => billing.settle(unitOfWorkOf(tx), endedEvent({ callId: paid, caller: user, dialed: '+442071234567', talkMs: 61_000 })));
    const plan = await prisma.stores.plans.find(planId);
    const read = async (stores: CallPathStores) => ({
      account: await stores.accounts.find(user.id),
      locked: await lockIn(stores, user.id),
      settled: await stores.reservations.find(paid),
      open: await stores.reservations.find(onNet),
      plan: await stores.plans.find(planId),
      byName: await stores.plans.findByName(plan?.name ?? ''),
      rates: (await stores.plans.ratesMatching(planId, ['442071', '44207', '4420', '442', '44', '4'])).sort(byPrefixAndBand),
      unknown: [await stores.accounts.find(randomUUID()), await stores.reservations.find('not-a-uuid'), await stores.plans.find('nope'), await stores.plans.findByName(randomUUID())],
    });
    const viaSql = await read(pg.stores);
    expect(viaSql).to.deep.equal(await read(prisma.stores));
    expect(viaSql.settled).to.include({ status: 'settled', prefix: '4420', ratePerMinuteMicros: 400_000n, chargedMinor: 80n, rounding: 'nearest' });
    expect(viaSql.settled?.settledAt).to.be.instanceOf(Date);
    expect(viaSql.open).to.include({ status: 'open', free: false, reservedMinor: 4n, reservedSeconds: 60 }).and.not.have.property('prefix');
    expect(viaSql.account).to.deep.equal({ userId: user.id, currency: 'EUR', planId, balanceMinor: 220n, reservedMinor: 4n });
    expect(viaSql.rates).to.have.length(3);
    expect(viaSql.rates[2]).to.deep.equal({ prefix: '4420', ratePerMinuteMicros: 200_000n, connectFeeMinor: 0n, firstIncrementSeconds: 1, nextIncrementSeconds: 1, timeFromMinute: 1320, timeToMinute: 360, description: 'London nights' });
    expect(viaSql.unknown).to.deep.equal([undefined, undefined, undefined, undefined]);
  });

  it('given a call that has a reservation or a tombstone, when another is inserted for it, then nothing is written and insert says so', async function () {
    const user = await paidUser('5.00');
    const first = reservationOf(user.id);
    expect(await pg.stores.reservations.insert(first)).to.equal(true);
    expect(await pg.stores.reservations.insert({ ...first, reservedMinor: 1n, userId: (await newUser(db)).id })).to.equal(false);
    expect(await db.reservation.findUniqueOrThrow({ where: { callId: first.callId } })).to.include({ userId: user.id, reservedMinor: 70n, status: 'open' });

    const ended = randomUUID();
    await db.$transaction((tx) => billing.settle(unitOfWorkOf(tx), endedEvent({ callId: ended, caller: user, dialed: '+442071234567', talkMs: 0, answered: false })));
    expect(await pg.stores.reservations.insert(reservationOf(user.id, ended))).to.equal(false);
    expect(await db.reservation.findUniqueOrThrow({ where: { callId: ended } })).to.include({ status: 'void', reservedMinor: 0n });
  });

  it('given movements, then post writes the entries and account figures the Prisma ledger writes, and refuses one the account cannot cover, writing nothing', async function () {
    const [viaSql, viaPrisma] = [await paidUser('1.00'), await paidUser('1.00')];
    const callId = randomUUID();
    const movements = (userId: string) => [
      { userId, kind: 'reserve' as const, amountMinor: 70n, currency: 'EUR', callId },
      { userId, kind: 'reserve' as const, amountMinor: 31n, currency: 'EUR', callId },
      { userId, kind: 'charge' as const, amountMinor: 50n, currency: 'EUR', callId },
      { userId, kind: 'release' as const, amountMinor: 21n, currency: 'EUR', callId },
      { userId, kind: 'release' as const, amountMinor: 1n, currency: 'EUR', callId },
    ];
    const sqlEntries = await pg.transaction(async (tx) => {
      const posted = [];
      for (const movement of movements(viaSql.id)) posted.push(await tx.ledger.post(movement));
      return posted;
    });
    const prismaEntries = await prisma.transaction(async (tx) => {
      const posted = [];
      for (const movement of movements(viaPrisma.id)) posted.push(await tx.ledger.post(movement));
      return posted;
    });
    const comparable = (entry: (typeof sqlEntries)[number]) => entry && { kind: entry.kind, amountMinor: entry.amountMinor, currency: entry.currency, callId: entry.callId, balanceAfter: entry.balanceAfter, reservedAfter: entry.reservedAfter };
    expect(sqlEntries.map(comparable)).to.deep.equal(prismaEntries.map(comparable));
    // 1.00 topped up: 70 + 31 reserved > 100 is refused, as is releasing more than is reserved.
    expect(sqlEntries.map((entry) => entry && [entry.kind, entry.balanceAfter, entry.reservedAfter])).to.deep.equal([['reserve', 100n, 70n], undefined, ['charge', 50n, 20n], undefined, ['release', 50n, 19n]]);
    expect(sqlEntries[0]?.createdAt).to.be.instanceOf(Date);
    expect(sqlEntries[0]?.id).to.match(/^\d+$/);
    const account = await db.account.findUniqueOrThrow({ where: { userId: viaSql.id } });
    expect({ balance: account.balanceMinor, reserved: account.reservedMinor }).to.deep.equal({ balance: 50n, reserved: 19n });
    const sums = await ledgerSums(db, viaSql.id);
    expect({ balance: sums.balance, reserved: sums.reserved, entries: sums.entries }).to.deep.equal({ balance: 50n, reserved: 19n, entries: 4 });
  });

  it('given a transaction whose work fails after writing, then none of its writes is kept', async function () {
    const user = await paidUser('2.00');
    const reservation = reservationOf(user.id);
    const failure = new Error('the ledger refused');
    const thrown = await pg
      .transaction(async (tx) => {
        await tx.accounts.lock(user.id);
        await tx.reservations.insert(reservation);
        await tx.ledger.post({ userId: user.id, kind: 'reserve', amountMinor: 70n, currency: 'EUR', callId: reservation.callId });
        await tx.reservations.grow(reservation.callId, { reservedMinor: 140n, reservedSeconds: 120 });
        throw failure;
      })
      .catch((error: unknown) => error);
    expect(thrown).to.equal(failure);
    expect(await db.reservation.findUnique({ where: { callId: reservation.callId } })).to.equal(null);
    expect(await db.ledgerEntry.count({ where: { callId: reservation.callId } })).to.equal(0);
    expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 200n, reservedMinor: 0n });
  });

  it('given no reservation for the call, when it is grown, then it fails (as Prisma update does) and its transaction rolls back', async function () {
    const user = await paidUser('2.00');
    const callId = randomUUID();
    const error = await pg
      .transaction(async (tx) => {
        await tx.ledger.post({ userId: user.id, kind: 'reserve', amountMinor: 70n, currency: 'EUR', callId });
        await tx.reservations.grow(callId, { reservedMinor: 70n, reservedSeconds: 60 });
      })
      .catch((caught: unknown) => caught);
    expect(error).to.include({ code: 'BILLING.RESERVATION_MISSING' });
    expect(await billing.getBalance(user.id)).to.deep.include({ reservedMinor: 0n });
  });

  it('given no reservation for the call, when settlement closes it in its unit of work, then it fails and the unit of work rolls back', async function () {
    const user = await paidUser('2.00');
    const callId = randomUUID();
    const error = await db
      .$transaction(async (tx) => {
        const stores = prisma.within(unitOfWorkOf(tx));
        await stores.ledger.post({ userId: user.id, kind: 'reserve', amountMinor: 70n, currency: 'EUR', callId });
        await stores.reservations.close(callId, { status: 'settled', chargedMinor: 0n, at: new Date() });
      })
      .catch((caught: unknown) => caught);
    expect(error).to.include({ code: 'BILLING.RESERVATION_MISSING' });
    expect(await billing.getBalance(user.id)).to.deep.include({ reservedMinor: 0n });
  });

  it('given a paid call settled at its end over plain SQL, then its credit is free at once and the consumer\'s settle of the same event writes nothing more', async function () {
    const callPathBilling = createBillingModule({ db, sql, clock: systemClock });
    const user = await paidUser('1.00');
    const callId = randomUUID();
    expect(await callPathBilling.authorize({ callId, caller: { userId: user.id }, destination: '+441234567890', onNet: false, at: new Date() })).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    const event = endedEvent({ callId, caller: user, dialed: '+441234567890', talkMs: 30_000 });
    await callPathBilling.settleEnded(event);
    expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 30n, reservedMinor: 0n });
    const [row] = await db.$queryRaw<Array<{ status: string; charged: bigint }>>`SELECT status, charged_minor AS charged FROM reservations WHERE call_id = ${callId}::uuid`;
    expect(row).to.deep.equal({ status: 'settled', charged: 70n });
    const before = await ledgerSums(db, user.id);
    const charge = await db.$transaction((tx) => billing.settle(unitOfWorkOf(tx), event));
    expect(charge).to.include({ callId, amountMinor: 70n, chargedMinor: 70n });
    expect(await ledgerSums(db, user.id)).to.deep.equal(before);
    await callPathBilling.settleEnded(event);
    expect(await ledgerSums(db, user.id)).to.deep.equal(before);
  });

  it('given a transaction holding an account, when another locks it, then the second waits for the commit and reads its figures', async function () {
    const user = await paidUser('2.00');
    const release = gate();
    const locked = gate();
    const first = pg.transaction(async (tx) => {
      await tx.accounts.lock(user.id);
      locked.open();
      await tx.ledger.post({ userId: user.id, kind: 'reserve', amountMinor: 150n, currency: 'EUR', callId: randomUUID() });
      await release.wait;
    });
    await locked.wait;
    const second = pg.transaction((tx) => tx.accounts.lock(user.id));
    for (let i = 0; i < 40 && (await waitingOnLocks()) === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await waitingOnLocks(), 'the second lock waits').to.be.at.least(1);
    release.open();
    await first;
    expect(await second).to.deep.include({ balanceMinor: 200n, reservedMinor: 150n });
  });

  it('given a statement of the call path, then it runs as a named prepared statement', async function () {
    const user = await paidUser('1.00');
    // One connection: the statements the store prepared are on it.
    const single = createSql({ url: testEnv.databaseUrl, poolSize: 1, log: silentLogger });
    try {
      await new PgCallPathPersistence(single).stores.accounts.find(user.id);
      const prepared = await single.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements');
      expect(prepared.find((row) => row.name === 'billing-account-find')?.statement).to.match(/FROM accounts WHERE user_id = \$1::uuid/);
    } finally {
      await single.end();
    }
  });
});
