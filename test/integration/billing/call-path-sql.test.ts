import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type BillingService, createBillingModule } from '../../../app/billing';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { unitOfWorkOf } from '../../../app/shared/infra/unit-of-work';
import { systemClock } from '../../../app/shared/kernel';
import { capturingLogger } from '../../support/fakes/capturing-logger';
import { TcpProxy } from '../../support/tcp-proxy';
import { testEnv } from '../../support/test-env';
import { endedEvent, ledgerSums, newUser, PLAN_CSV_HEADER, uniquePlanName } from './support';

// A gate a test opens when it wants the work behind it to go on.
function gate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

// Billing as the app builds it (createBillingModule with the plain SQL pool): authorize, extend and
// the retail price over plain SQL, everything else over Prisma, against the real PostgreSQL.
describe('integration: billing call path over plain SQL', function () {
  this.timeout(30_000);
  let db: Database;
  let sql: Sql;
  let billing: BillingService;
  let planId: string;

  const settle = (event: ReturnType<typeof endedEvent>) => db.$transaction((tx) => billing.settle(unitOfWorkOf(tx), event));
  const paidUser = async (amount: string, plan = planId) => {
    const user = await newUser(db);
    await billing.assignPlan(user.id, plan);
    await billing.addBalance(user.id, { amount, currency: 'USD', reference: `seed-${randomUUID()}` });
    return user;
  };
  const pstn = (user: { id: string }, destination = '+442071234567') => ({ callId: randomUUID(), caller: { userId: user.id }, destination, onNet: false, at: new Date('2026-11-25T10:00:00Z') });
  const expectConsistent = async (userId: string): Promise<void> => {
    const account = await db.account.findUniqueOrThrow({ where: { userId } });
    const sums = await ledgerSums(db, userId);
    expect({ balance: account.balanceMinor, reserved: account.reservedMinor }).to.deep.equal({ balance: sums.balance, reserved: sums.reserved });
    expect(account.balanceMinor >= account.reservedMinor && account.reservedMinor >= 0n, 'balance >= reserved >= 0').to.equal(true);
  };
  const reservationOf = (callId: string) => db.reservation.findUnique({ where: { callId } });

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 8 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 8, log: silentLogger });
    billing = createBillingModule({ db, sql, clock: systemClock });
    // UK 0.60/min with a 0.10 connect fee, per minute: 1.00 buys exactly one minute (0.70).
    const plan = await billing.createPricePlan({ name: uniquePlanName('sql'), currency: 'USD' });
    planId = plan.id;
    await billing.importRates(planId, `${PLAN_CSV_HEADER}\n44,0.60,0.10,60,60,,\n1,0.012,,1,1,,\n`);
  });

  after(async function () {
    await db?.$disconnect();
    await sql?.end();
  });

  it('given credit for one minute, when 5 calls start at once, then one gets 60 s, the others no_credit, and the account matches its ledger', async function () {
    const user = await paidUser('0.70');
    const answers = await Promise.all(Array.from({ length: 5 }, () => billing.authorize(pstn(user))));
    expect(answers.filter((a) => a.allowed)).to.deep.equal([{ allowed: true, reservedSeconds: 60 }]);
    expect(answers.filter((a) => !a.allowed)).to.have.length(4).and.to.deep.include({ allowed: false, reason: 'no_credit' });
    expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 70n, reservedMinor: 70n });
    await expectConsistent(user.id);
  });

  it('given credit for a few minutes, when 10 calls start and extend in parallel, then reservations never exceed the balance and settling them leaves it at or above 0', async function () {
    const user = await paidUser('3.50'); // five minutes at 0.70
    const requests = Array.from({ length: 10 }, () => pstn(user));
    const answers = await Promise.all(requests.map((request) => billing.authorize(request)));
    expect(answers.filter((a) => a.allowed)).to.have.length(5);
    const live = requests.filter((_, i) => answers[i]?.allowed);
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(live.map((request) => billing.extend(request.callId)));
      await expectConsistent(user.id);
    }
    const charges = await Promise.all(live.map((r, i) => settle(endedEvent({ callId: r.callId, caller: { ...user }, dialed: r.destination, talkMs: 30_000 + i * 20_000 }))));
    const paid = charges.reduce((sum, c) => sum + (c?.chargedMinor ?? 0n), 0n);
    expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 350n - paid, reservedMinor: 0n });
    await expectConsistent(user.id);
  });

  it('given a call with slices, then each extension adds a slice to the reservation with its reserve entry, and the same call authorized again gets the first answer', async function () {
    const user = await paidUser('10.00');
    const request = pstn(user, '+15551234567'); // 0.012/min, per second
    expect(await billing.authorize(request)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    expect(await billing.authorize(request)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    expect(await billing.extend(request.callId)).to.deep.equal({ allowed: true, reservedSeconds: 120 });
    expect(await reservationOf(request.callId)).to.include({ reservedSeconds: 120, reservedMinor: 3n, status: 'open', prefix: '1', planId });
    expect((await db.ledgerEntry.findMany({ where: { callId: request.callId }, orderBy: { id: 'asc' } })).map((e) => [e.kind, e.amountMinor])).to.deep.equal([['reserve', 2n], ['reserve', 1n]]);
    expect(await billing.extend(randomUUID())).to.deep.equal({ allowed: false, reason: 'no_credit' });
    await expectConsistent(user.id);
  });

  it('given another instance creates a plan, assigns it to the caller and replaces its deck, then the next call here is priced by each change at once', async function () {
    const there = createBillingModule({ db, clock: systemClock });
    const user = await paidUser('10.00');
    const first = pstn(user);
    await billing.authorize(first);
    expect(await reservationOf(first.callId)).to.include({ planId, ratePerMinuteMicros: 600_000n });

    const other = await there.createPricePlan({ name: uniquePlanName('there'), currency: 'USD' });
    await there.importRates(other.id, `${PLAN_CSV_HEADER}\n44,0.30,,1,1,,\n`);
    await there.assignPlan(user.id, other.id);
    const second = pstn(user);
    expect(await billing.authorize(second)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    expect(await reservationOf(second.callId)).to.include({ planId: other.id, ratePerMinuteMicros: 300_000n, reservedMinor: 30n });
    expect(await billing.retailRateOf(user.id, '+442071234567', new Date())).to.include({ planId: other.id, ratePerMinuteMicros: 300_000n });

    await there.importRates(other.id, `${PLAN_CSV_HEADER}\n44,0.90,,1,1,,\n`);
    const third = pstn(user);
    await billing.authorize(third);
    expect(await reservationOf(third.callId)).to.include({ planId: other.id, ratePerMinuteMicros: 900_000n, reservedMinor: 90n });
    // Money already reserved keeps the price of its call's start.
    expect(await reservationOf(second.callId)).to.include({ ratePerMinuteMicros: 300_000n, reservedMinor: 30n });
  });

  it('given routing asks for retail prices, then the account plan prices the number, else the default plan once it exists, else nothing, and nothing is created', async function () {
    const defaultPlanName = uniquePlanName('default');
    const fresh = createBillingModule({ db, sql, clock: systemClock, options: { defaultPlanName } });
    const stranger = randomUUID();
    expect(await fresh.retailRateOf(stranger, '+442071234567', new Date())).to.equal(undefined);
    expect(await db.pricePlan.findUnique({ where: { name: defaultPlanName } }), 'no default plan created').to.equal(null);
    const user = await paidUser('1.00');
    expect(await fresh.retailRateOf(user.id, '+442071234567', new Date())).to.include({ planId, prefix: '44', ratePerMinuteMicros: 600_000n, connectFeeMinor: 10n });
    expect(await fresh.retailRateOf(user.id, '+33123456789', new Date())).to.equal(undefined);

    await fresh.refreshOnNetRules();
    const created = await db.pricePlan.findUniqueOrThrow({ where: { name: defaultPlanName } });
    await fresh.importRates(created.id, `${PLAN_CSV_HEADER}\n33,0.05,,1,1,,\n`);
    expect(await fresh.retailRateOf(stranger, '+33123456789', new Date())).to.include({ planId: created.id, ratePerMinuteMicros: 50_000n });
  });

  it('given the caller\'s account held longer than the authorize deadline, then the call is refused as billing_unavailable in time, and the late transaction rolls back instead of reserving', async function () {
    const log = capturingLogger();
    const quick = createBillingModule({ db, sql, clock: systemClock, log, options: { authorizeTimeoutMs: 500 } });
    const user = await paidUser('5.00');
    const request = pstn(user);
    const release = gate();
    const locked = gate();
    // A settlement of another call of the caller, holding the account's lock.
    const holder = db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM accounts WHERE user_id = ${user.id}::uuid FOR UPDATE`;
      locked.open();
      await release.wait;
    }, { timeout: 20_000 });
    await locked.wait;
    const started = Date.now();
    expect(await quick.authorize(request)).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
    expect(Date.now() - started).to.be.below(1500);
    release.open();
    await holder;
    const abandoned = () => log.entries.some((entry) => entry.message.startsWith('late reservation abandoned') && entry.fields.callId === request.callId);
    for (let i = 0; i < 100 && !abandoned(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(abandoned(), 'the late transaction saw its deadline had passed').to.equal(true);
    expect(await reservationOf(request.callId)).to.equal(null);
    expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 500n, reservedMinor: 0n });
  });

  it('given billing loses its database after it started, then paid calls and extensions fail closed, on-net calls on free plans go on, and calls are priced again once it is back', async function () {
    const target = new URL(testEnv.databaseUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.start();
    const viaProxy = new URL(testEnv.databaseUrl);
    viaProxy.port = String(proxy.port);
    const flakyDb = createDatabase({ url: viaProxy.toString(), poolSize: 2 });
    const flakySql = createSql({ url: viaProxy.toString(), poolSize: 2, log: silentLogger });
    try {
      const flaky = createBillingModule({ db: flakyDb, sql: flakySql, clock: systemClock, options: { authorizeTimeoutMs: 3000 } });
      await flaky.refreshOnNetRules();
      const paidOnNet = await flaky.createPricePlan({ name: uniquePlanName('paid'), currency: 'USD', onNetRatePerMinute: '0.05' });
      const free = await flaky.createPricePlan({ name: uniquePlanName('free'), currency: 'USD' });
      const [onPaid, onFree] = [await newUser(db), await newUser(db)];
      await flaky.assignPlan(onPaid.id, paidOnNet.id);
      await flaky.assignPlan(onFree.id, free.id);
      const payer = await paidUser('5.00');
      const live = pstn(payer);
      expect(await flaky.authorize(live)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
      const call = (userId: string, onNet = true) => ({ callId: randomUUID(), caller: { userId }, destination: onNet ? '+14155550102' : '+442071234567', onNet, at: new Date() });
      proxy.cut();
      expect(await flaky.authorize(call(onPaid.id)), 'on-net, paid plan').to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
      expect(await flaky.authorize(call(onFree.id)), 'on-net, free plan').to.deep.equal({ allowed: true, reservedSeconds: null });
      expect(await flaky.authorize(call(randomUUID())), 'on-net, a user not seen: the default plan').to.deep.equal({ allowed: true, reservedSeconds: null });
      expect(await flaky.authorize(call(payer.id, false)), 'PSTN').to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
      expect(await flaky.extend(live.callId), 'extension').to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
      expect(await flaky.retailRateOf(payer.id, '+442071234567', new Date()).catch((error: unknown) => error)).to.be.instanceOf(Error);
      proxy.restore();
      expect(await flaky.authorize(call(payer.id, false)), 'PSTN, database back').to.deep.equal({ allowed: true, reservedSeconds: 60 });
      expect(await flaky.extend(live.callId), 'extension, database back').to.deep.equal({ allowed: true, reservedSeconds: 120 });
    } finally {
      await proxy.stop();
      await flakyDb.$disconnect();
      await flakySql.end();
    }
  });

  it('given the database is unreachable from the start, then a paid call, an on-net call and an extension are refused as billing_unavailable', async function () {
    const url = 'postgresql://nobody:nothing@127.0.0.1:9/none';
    const down = createDatabase({ url, poolSize: 1 });
    const downSql = createSql({ url, poolSize: 1, log: silentLogger });
    try {
      const unreachable = createBillingModule({ db: down, sql: downSql, clock: systemClock, options: { authorizeTimeoutMs: 3000 } });
      expect(await unreachable.authorize(pstn({ id: randomUUID() }))).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
      expect(await unreachable.authorize({ ...pstn({ id: randomUUID() }), destination: '+14155550100', onNet: true })).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
      expect(await unreachable.extend(randomUUID())).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
    } finally {
      await down.$disconnect();
      await downSql.end();
    }
  });
});
