import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type BillingService, createBillingService } from '../../../app/billing';
import { InMemoryBillingPersistence } from './in-memory-billing-persistence';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const T0 = new Date('2026-11-25T10:00:00.000Z');
const HEADER = 'prefix,rate_per_minute,connect_fee,first_increment,next_increment';

// What the call path reads on every call: the caller's account and the rates, never a plan it has
// read already (a plan never changes once created), and through its own persistence when given one.
describe('billing call path: what pricing a call reads', function () {
  let store: InMemoryBillingPersistence;
  let billing: BillingService;
  let planId: string;

  const pstn = () => ({ callId: randomUUID(), caller: { userId: ALICE }, destination: '+442071234567', onNet: false, at: T0 });
  const onNet = () => ({ callId: randomUUID(), caller: { userId: ALICE }, destination: '+14155550102', onNet: true, at: T0 });
  const service = (): BillingService => createBillingService({ persistence: store, clock: { now: () => T0 }, options: { authorizeTimeoutMs: 200 } });

  beforeEach(async function () {
    store = new InMemoryBillingPersistence(() => T0);
    store.activeUsers.add(ALICE);
    billing = service();
    planId = (await billing.createPricePlan({ name: 'retail', currency: 'USD' })).id;
    // 0.60/min + 0.10 per call, per minute.
    await billing.importRates(planId, `${HEADER}\n44,0.60,0.10,,\n`);
    await billing.assignPlan(ALICE, planId);
    await billing.addBalance(ALICE, { amount: '10.00', currency: 'USD', reference: randomUUID() });
  });

  it('given a plan read once, when plans can no longer be read, then calls are still priced by it; the account and the rates are read on every call', async function () {
    expect(await billing.authorize(pstn())).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    store.failingOps.add('plans.find');
    expect(await billing.authorize(pstn())).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    expect(await billing.retailRateOf(ALICE, '+442071234567', T0)).to.include({ planId, ratePerMinuteMicros: 600_000n });
    store.failingOps.clear();
    store.failingOps.add('plans.rates');
    expect(await billing.authorize(pstn())).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
    store.failingOps.clear();
    store.failingOps.add('accounts.find');
    expect(await billing.authorize(pstn())).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
  });

  it('given another instance creates a plan and assigns it to the caller, then the next call here is priced by it', async function () {
    expect(await billing.authorize(pstn())).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    const there = service();
    const cheaper = await there.createPricePlan({ name: 'cheaper', currency: 'USD', firstIncrementSeconds: 1, nextIncrementSeconds: 1 });
    await there.importRates(cheaper.id, `${HEADER}\n44,0.30,,,\n`);
    await there.assignPlan(ALICE, cheaper.id);
    const call = pstn();
    expect(await billing.authorize(call)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    expect(store.reservations.get(call.callId)).to.include({ planId: cheaper.id, ratePerMinuteMicros: 300_000n, reservedMinor: 30n });
  });

  it('given a plan changed behind billing\'s back (by hand in the database), then calls get the change at the next refresh of the rules', async function () {
    await billing.authorize(onNet());
    const plan = store.plans.get(planId);
    if (!plan) throw new Error('no plan');
    store.plans.set(planId, { ...plan, onNetRatePerMinuteMicros: 60_000n });
    expect(await billing.authorize(onNet()), 'the plan as read').to.deep.equal({ allowed: true, reservedSeconds: null });
    await billing.refreshOnNetRules();
    expect(await billing.authorize(onNet()), 'the plan read again').to.deep.equal({ allowed: true, reservedSeconds: 60 });
  });

  it('given a call path of its own that is down, then calls fail closed while the rest of billing works on its own persistence', async function () {
    const callPath = new InMemoryBillingPersistence(() => T0);
    callPath.failing = true;
    const split = createBillingService({ persistence: store, callPath, clock: { now: () => T0 }, options: { authorizeTimeoutMs: 200 } });
    expect(await split.authorize(pstn())).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
    expect(await split.extend(randomUUID())).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
    expect(await split.retailRateOf(ALICE, '+442071234567', T0).catch((error: unknown) => error)).to.be.instanceOf(Error);
    expect(await split.assignPlan(ALICE, planId)).to.deep.include({ planId, balanceMinor: 1000n });
    expect(await split.getPricePlan(planId)).to.include({ rateCount: 1 });
  });
});
