import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type BillingService, createBillingService } from '../../../app/billing';
import { type CallAuthorizer } from '../../../app/call-state';
import { type CallSettlement } from '../../../app/invoice/ports';
import { type CallEnded } from '../../../app/shared/events';
import { type UnitOfWork } from '../../../app/shared/kernel';
import { InMemoryBillingPersistence } from './in-memory-billing-persistence';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB_NUMBER = '+14155550102';
const T0 = new Date('2026-11-25T10:00:00.000Z');
const tx = {} as UnitOfWork;
const HEADER = 'prefix,rate_per_minute,connect_fee,first_increment,next_increment';

function ended(callId: string, talkMs: number, answered = talkMs > 0): CallEnded {
  return {
    id: `ended-${callId}`,
    version: 1,
    type: 'call.v1.ended',
    callId,
    occurredAt: T0.toISOString(),
    caller: { userId: ALICE, username: 'alice', phoneNumber: '+14155550101' },
    dialed: '+442071234567',
    cause: answered ? 'completed' : 'no_answer',
    requestedAt: T0.toISOString(),
    ...(answered ? { answeredAt: new Date(T0.getTime() + 2000).toISOString() } : {}),
    endedAt: T0.toISOString(),
    talkMs,
    quality: {},
    history: [],
  };
}

describe('billing service', function () {
  let store: InMemoryBillingPersistence;
  let now: Date;
  let billing: BillingService;
  let planId: string;

  const pstn = (destination = '+442071234567') => ({ callId: randomUUID(), caller: { userId: ALICE }, destination, onNet: false, at: T0 });
  const onNet = () => ({ callId: randomUUID(), caller: { userId: ALICE }, destination: BOB_NUMBER, onNet: true, at: T0 });
  const fund = async (amount: string): Promise<void> => {
    await billing.addBalance(ALICE, { amount, currency: 'USD', reference: randomUUID() });
  };

  beforeEach(async function () {
    now = T0;
    store = new InMemoryBillingPersistence(() => now);
    store.activeUsers.add(ALICE);
    billing = createBillingService({ persistence: store, clock: { now: () => now }, options: { authorizeTimeoutMs: 200 } });
    const plan = await billing.createPricePlan({ name: 'retail', currency: 'USD' });
    planId = plan.id;
    // 0.60/min + 0.10 per call, per minute; the US per second at 0.60/min.
    await billing.importRates(planId, `${HEADER}\n44,0.60,0.10,,\n1,0.60,,1,1\n`);
    await billing.assignPlan(ALICE, planId);
  });

  it("fulfils call-state's CallAuthorizer and the invoice service's CallSettlement ports", function () {
    const authorizer: CallAuthorizer = billing;
    const settlement: CallSettlement = billing;
    expect(authorizer).to.equal(settlement);
  });

  describe('at call start', function () {
    it('given credit, when a paid call starts, then the first slice is reserved with a reserve entry', async function () {
      await fund('10.00');
      const request = pstn();
      expect(await billing.authorize(request)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
      expect(store.reservations.get(request.callId)).to.deep.include({ reservedMinor: 70n, reservedSeconds: 60, free: false, prefix: '44', status: 'open' });
      expect(await billing.getBalance(ALICE)).to.deep.include({ balanceMinor: 1000n, reservedMinor: 70n, availableMinor: 930n });
      expect(store.entries.map((e) => [e.kind, e.amountMinor])).to.deep.equal([['topup', 1000n], ['reserve', 70n]]);
    });

    it('given credit for less than a slice, then a shorter slice of whole increments is reserved', async function () {
      await fund('0.25');
      expect(await billing.authorize(pstn('+14155550100'))).to.deep.equal({ allowed: true, reservedSeconds: 25 });
    });

    it('given no credit for the fee and first increment, then no_credit; given an unpriced number, then no_rate', async function () {
      await fund('0.69');
      expect(await billing.authorize(pstn())).to.deep.equal({ allowed: false, reason: 'no_credit' });
      expect(await billing.authorize(pstn('+33123456789'))).to.deep.equal({ allowed: false, reason: 'no_rate' });
      expect(store.entries).to.have.length(1);
    });

    it('given the same call authorized twice, then it is reserved once', async function () {
      await fund('10.00');
      const request = pstn();
      await billing.authorize(request);
      expect(await billing.authorize(request)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
      expect(store.entries.filter((e) => e.kind === 'reserve')).to.have.length(1);
    });

    it('given a free on-net call, then it is unlimited and only a zero reservation records its price', async function () {
      const request = onNet();
      expect(await billing.authorize(request)).to.deep.equal({ allowed: true, reservedSeconds: null });
      expect(store.reservations.get(request.callId)).to.deep.include({ free: true, reservedMinor: 0n, destination: BOB_NUMBER });
      expect(await billing.extend(request.callId)).to.deep.equal({ allowed: true, reservedSeconds: null });
    });

    it('given the database is down, then a PSTN call fails closed, an on-net call of a caller known to be on a free plan goes on unlimited, and an extension fails closed', async function () {
      store.failing = true;
      expect(await billing.authorize(pstn())).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
      expect(await billing.authorize(onNet())).to.deep.equal({ allowed: true, reservedSeconds: null });
      expect(await billing.extend(randomUUID())).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
    });

    it('given the database does not answer, then authorize gives up after its deadline, failing closed for paid calls', async function () {
      store.hanging = true;
      const started = Date.now();
      expect(await billing.authorize(pstn())).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
      expect(Date.now() - started).to.be.below(1000);
    });

    it('given a plan that charges on-net calls, when the reservation cannot be written, then the call fails closed', async function () {
      const paid = await billing.createPricePlan({ name: 'paid-on-net', currency: 'USD', onNetRatePerMinute: '0.01' });
      await billing.assignPlan(ALICE, paid.id);
      await fund('1.00');
      store.failingOps.add('accounts.lock');
      expect(await billing.authorize(onNet())).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
    });
  });

  describe('during the call', function () {
    it('given a call, then each extension adds a slice, then what is left, then keeps the same limit', async function () {
      await fund('1.50');
      const request = pstn('+14155550100'); // per second at 1 cent a second
      expect(await billing.authorize(request)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
      expect(await billing.extend(request.callId)).to.deep.equal({ allowed: true, reservedSeconds: 120 });
      expect(await billing.extend(request.callId)).to.deep.equal({ allowed: true, reservedSeconds: 150 });
      expect(await billing.extend(request.callId)).to.deep.equal({ allowed: true, reservedSeconds: 150 });
      expect(await billing.getBalance(ALICE)).to.deep.include({ reservedMinor: 150n, availableMinor: 0n });
    });

    it('given an unknown or settled call, then no more talk time', async function () {
      await fund('5.00');
      expect(await billing.extend(randomUUID())).to.deep.equal({ allowed: false, reason: 'no_credit' });
      const request = pstn();
      await billing.authorize(request);
      await billing.settle(tx, ended(request.callId, 30_000));
      expect(await billing.extend(request.callId)).to.deep.equal({ allowed: false, reason: 'no_credit' });
    });
  });

  describe('at call end', function () {
    it('given an answered call, then its talk time is charged by increments, the rest released, and a repeat changes nothing', async function () {
      await fund('5.00');
      const request = pstn();
      await billing.authorize(request);
      await billing.extend(request.callId);
      const charge = await billing.settle(tx, ended(request.callId, 61_000));
      expect(charge).to.deep.equal({
        callId: request.callId,
        userId: ALICE,
        currency: 'USD',
        destination: '+442071234567',
        startedAt: new Date(T0.getTime() + 2000),
        talkSeconds: 61,
        billedSeconds: 120,
        ratePerMinuteMicros: 600_000n,
        connectFeeMinor: 10n,
        amountMinor: 130n,
        chargedMinor: 130n,
        shortfallMinor: 0n,
      });
      expect(await billing.getBalance(ALICE)).to.deep.include({ balanceMinor: 370n, reservedMinor: 0n });
      const entries = store.entries.length;
      expect(await billing.settle(tx, ended(request.callId, 61_000))).to.deep.equal(charge);
      expect(store.entries).to.have.length(entries);
    });

    it('given a call that ran past what the account holds, then what can be covered is charged and the shortfall reported; the balance stays at 0', async function () {
      await fund('0.70');
      const request = pstn();
      await billing.authorize(request);
      const charge = await billing.settle(tx, ended(request.callId, 150_000));
      expect(charge).to.include({ amountMinor: 190n, chargedMinor: 70n, shortfallMinor: 120n });
      expect(await billing.getBalance(ALICE)).to.deep.include({ balanceMinor: 0n, reservedMinor: 0n });
    });

    it('given an unanswered call, then everything is released and there is no charge', async function () {
      await fund('5.00');
      const request = pstn();
      await billing.authorize(request);
      expect(await billing.settle(tx, ended(request.callId, 0, false))).to.equal(undefined);
      expect(await billing.getBalance(ALICE)).to.deep.include({ balanceMinor: 500n, reservedMinor: 0n });
      expect(store.reservations.get(request.callId)).to.include({ status: 'settled', chargedMinor: 0n });
    });

    it('given a call billing never authorised, then there is nothing to charge and a tombstone refuses a reservation that arrives for it later', async function () {
      await fund('5.00');
      const request = pstn();
      expect(await billing.settle(tx, ended(request.callId, 0, false))).to.equal(undefined);
      expect(store.reservations.get(request.callId)).to.include({ status: 'void', reservedMinor: 0n });
      expect(await billing.authorize(request)).to.deep.equal({ allowed: false, reason: 'no_credit' });
      expect(await billing.settle(tx, ended(request.callId, 0, false))).to.equal(undefined);
      expect(store.entries.filter((e) => e.callId === request.callId)).to.have.length(0);
      expect(await billing.getBalance(ALICE)).to.deep.include({ balanceMinor: 500n, reservedMinor: 0n });
    });
  });

  describe('forgotten reservations', function () {
    it('given an open reservation idle past the stale age, then the sweep releases it once', async function () {
      await fund('5.00');
      const request = pstn();
      await billing.authorize(request);
      now = new Date(T0.getTime() + 5 * 3_600_000);
      expect(await billing.releaseStaleReservations()).to.equal(0);
      now = new Date(T0.getTime() + 7 * 3_600_000);
      expect(await billing.releaseStaleReservations()).to.equal(1);
      expect(await billing.releaseStaleReservations()).to.equal(0);
      expect(store.reservations.get(request.callId)).to.include({ status: 'expired' });
      expect(await billing.getBalance(ALICE)).to.deep.include({ balanceMinor: 500n, reservedMinor: 0n });
    });
  });

  describe('balances', function () {
    it('given an unknown user, then USER.NOT_FOUND and nothing is written', async function () {
      const error = await billing.addBalance(randomUUID(), { amount: '1.00', currency: 'USD', reference: 'x' }).catch((e: unknown) => e);
      expect(error).to.include({ code: 'USER.NOT_FOUND' });
      expect(store.entries).to.have.length(0);
    });

    it('given a top-up past the balance limit, then BILLING.BALANCE_LIMIT', async function () {
      const big = createBillingService({ persistence: store, clock: { now: () => now }, options: { maxTopUpMajor: 10 ** 13 } });
      await big.addBalance(ALICE, { amount: '10000000000000', currency: 'USD', reference: 'a' });
      expect(await big.addBalance(ALICE, { amount: '0.01', currency: 'USD', reference: 'b' }).catch((e: unknown) => e)).to.include({ code: 'BILLING.BALANCE_LIMIT' });
    });
  });
});
