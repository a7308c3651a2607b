import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type BillingService, type CallPathPersistence, type CallPathStores, createBillingService } from '../../../app/billing';
import { PgCallPathPersistence } from '../../../app/billing/pg-call-path-persistence';
import { PrismaBillingPersistence } from '../../../app/billing/prisma-billing-persistence';
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

// Billing's real PostgreSQL call path, with authorize's transaction held where a test says: before
// it starts, or just before it writes the reservation (after it locked the account). `late` is the
// transactions' outcome, to wait for what commits after authorize has answered.
class HeldPersistence implements CallPathPersistence {
  beforeTransaction: Promise<void> = Promise.resolve();
  beforeInsert: Promise<void> = Promise.resolve();
  reachedInsert = gate();
  readonly late: Array<Promise<unknown>> = [];

  constructor(private readonly inner: CallPathPersistence) {}

  get stores(): CallPathStores {
    return this.inner.stores;
  }

  transaction<T>(work: (stores: CallPathStores) => Promise<T>): Promise<T> {
    const run = (async () => {
      await this.beforeTransaction;
      return this.inner.transaction((stores) => work(this.held(stores)));
    })();
    this.late.push(run.catch((error: unknown) => error));
    return run;
  }

  private held(stores: CallPathStores): CallPathStores {
    const reservations = new Proxy(stores.reservations, {
      get: (target, property, receiver) => {
        if (property !== 'insert') return (Reflect.get(target, property, receiver) as (...args: unknown[]) => unknown).bind(target);
        return async (...args: Parameters<typeof target.insert>) => {
          this.reachedInsert.open();
          await this.beforeInsert;
          return target.insert(...args);
        };
      },
    });
    return { ...stores, reservations };
  }
}

// Both call paths: plain SQL (the app's) and Prisma (tools and tests that give billing no pool).
const CALL_PATHS: Array<[string, (db: Database, sql: Sql) => CallPathPersistence]> = [
  ['plain SQL', (_db, sql) => new PgCallPathPersistence(sql)],
  ['Prisma', (db) => new PrismaBillingPersistence(db)],
];

for (const [name, callPathOf] of CALL_PATHS) {
  // A call refused because authorize passed its deadline while its transaction went on: whichever
  // of that transaction and the call's settlement commits second must leave the caller's credit free.
  describe(`integration: a reservation that arrives after authorize gave up (call path over ${name})`, function () {
    this.timeout(30_000);
    let db: Database;
    let sql: Sql;
    let persistence: HeldPersistence;
    let billing: BillingService;
    let planId: string;

    const settle = (event: ReturnType<typeof endedEvent>) => db.$transaction((tx) => billing.settle(unitOfWorkOf(tx), event));
    // 1 cent a second, per second: 0.10 buys a first slice of 10 s and nothing more.
    const lowBalanceUser = async () => {
      const user = await newUser(db);
      await billing.assignPlan(user.id, planId);
      await billing.addBalance(user.id, { amount: '0.10', currency: 'USD', reference: `seed-${randomUUID()}` });
      // Only the transactions of the call under test count as late ones.
      await Promise.all(persistence.late.splice(0));
      return user;
    };
    const call = (userId: string) => ({ callId: randomUUID(), caller: { userId }, destination: '+15551234567', onNet: false, at: new Date() });
    const refusedEnd = (request: ReturnType<typeof call>, user: { id: string; username: string; phoneNumber: string }) =>
      endedEvent({ callId: request.callId, caller: user, dialed: request.destination, talkMs: 0, answered: false });
    const reserveEntriesOf = (callId: string) => db.ledgerEntry.findMany({ where: { callId }, orderBy: { id: 'asc' } });
    const waitingOnLocks = async (): Promise<number> =>
      Number((await db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)[0]?.n ?? 0n);

    before(async function () {
      db = createDatabase({ url: testEnv.databaseUrl, poolSize: 6 });
      sql = createSql({ url: testEnv.databaseUrl, poolSize: 4, log: silentLogger });
      persistence = new HeldPersistence(callPathOf(db, sql));
      billing = createBillingService({ persistence: new PrismaBillingPersistence(db), callPath: persistence, clock: systemClock, options: { authorizeTimeoutMs: 1000, sliceSeconds: 60 } });
      const plan = await billing.createPricePlan({ name: uniquePlanName('late'), currency: 'USD' });
      planId = plan.id;
      await billing.importRates(planId, `${PLAN_CSV_HEADER}\n1,0.60,,1,1,,\n`);
    });

    afterEach(function () {
      persistence.beforeTransaction = Promise.resolve();
      persistence.beforeInsert = Promise.resolve();
      persistence.reachedInsert = gate();
    });

    after(async function () {
      await db?.$disconnect();
      await sql?.end();
    });

    it('given authorize gave up before its transaction started, when the refused call is settled first, then the late transaction reserves nothing and the caller can call again', async function () {
      const user = await lowBalanceUser();
      const held = gate();
      persistence.beforeTransaction = held.wait;
      const request = call(user.id);
      expect(await billing.authorize(request)).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });

      expect(await settle(refusedEnd(request, user))).to.equal(undefined);
      held.open();
      await Promise.all(persistence.late.splice(0));

      expect(await db.reservation.findUniqueOrThrow({ where: { callId: request.callId } })).to.include({ status: 'void', reservedMinor: 0n });
      expect(await reserveEntriesOf(request.callId)).to.have.length(0);
      expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 10n, reservedMinor: 0n, availableMinor: 10n });
      persistence.beforeTransaction = Promise.resolve();
      expect(await billing.authorize(call(user.id))).to.deep.equal({ allowed: true, reservedSeconds: 10 });
    });

    it('given authorize gave up while its transaction held the caller\'s account, when the refused call is settled meanwhile, then the settlement waits, finds the late reservation and releases it', async function () {
      const user = await lowBalanceUser();
      const held = gate();
      persistence.beforeInsert = held.wait;
      const request = call(user.id);
      const answer = billing.authorize(request);
      await persistence.reachedInsert.wait;
      expect(await answer).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });

      const settled = settle(refusedEnd(request, user));
      // The settlement waits for the account the late transaction has locked.
      for (let i = 0; i < 40 && (await waitingOnLocks()) === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      held.open();
      expect(await settled).to.equal(undefined);
      await Promise.all(persistence.late.splice(0));

      expect(await db.reservation.findUniqueOrThrow({ where: { callId: request.callId } })).to.include({ status: 'settled', chargedMinor: 0n, reservedMinor: 10n });
      expect((await reserveEntriesOf(request.callId)).map((entry) => [entry.kind, entry.amountMinor])).to.deep.equal([['reserve', 10n], ['release', 10n]]);
      expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 10n, reservedMinor: 0n });
      const sums = await ledgerSums(db, user.id);
      expect({ balance: sums.balance, reserved: sums.reserved }).to.deep.equal({ balance: 10n, reserved: 0n });
    });

    it('given authorize gave up and the call has not been settled yet, when its transaction goes on, then it rolls back instead of reserving', async function () {
      const user = await lowBalanceUser();
      const held = gate();
      persistence.beforeTransaction = held.wait;
      const request = call(user.id);
      expect(await billing.authorize(request)).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
      held.open();
      const [outcome] = await Promise.all(persistence.late.splice(0));
      expect(outcome).to.include({ code: 'BILLING.TIMEOUT' });
      expect(await db.reservation.findUnique({ where: { callId: request.callId } })).to.equal(null);
      expect(await billing.getBalance(user.id)).to.deep.include({ reservedMinor: 0n, availableMinor: 10n });
    });

    it('given a call whose end was settled before billing saw it, when authorize comes for it, then it is refused and nothing is reserved', async function () {
      const user = await lowBalanceUser();
      const request = call(user.id);
      expect(await settle(refusedEnd(request, user))).to.equal(undefined);
      expect(await billing.authorize(request)).to.deep.equal({ allowed: false, reason: 'no_credit' });
      expect(await billing.extend(request.callId)).to.deep.equal({ allowed: false, reason: 'no_credit' });
      expect(await reserveEntriesOf(request.callId)).to.have.length(0);
      expect(await billing.getBalance(user.id)).to.deep.include({ reservedMinor: 0n, availableMinor: 10n });
    });

    it('given the refused call settles in a batch, then the batch leaves the tombstone too and the late transaction reserves nothing', async function () {
      const user = await lowBalanceUser();
      const held = gate();
      persistence.beforeTransaction = held.wait;
      const request = call(user.id);
      expect(await billing.authorize(request)).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });

      const charges = await db.$transaction((tx) => billing.settleMany(unitOfWorkOf(tx), [refusedEnd(request, user)]));
      expect(charges).to.deep.equal([undefined]);
      held.open();
      await Promise.all(persistence.late.splice(0));
      expect(await db.reservation.findUniqueOrThrow({ where: { callId: request.callId } })).to.include({ status: 'void' });
      expect(await billing.getBalance(user.id)).to.deep.include({ reservedMinor: 0n, availableMinor: 10n });
    });
  });
}
