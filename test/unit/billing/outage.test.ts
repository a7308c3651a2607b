import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type BillingService, createBillingService } from '../../../app/billing';
import { OnNetRules } from '../../../app/billing/on-net-rules';
import { InMemoryBillingPersistence } from './in-memory-billing-persistence';

const T0 = new Date('2026-11-25T10:00:00.000Z');

// During a billing outage, on-net calls follow what billing last knew of the caller's plan: free
// goes on (unbilled), paid fails closed, and a caller never seen is taken to be on the default plan.
describe('billing outage: on-net calls by what billing last knew', function () {
  let store: InMemoryBillingPersistence;
  let billing: BillingService;

  const user = (): string => {
    const id = randomUUID();
    store.activeUsers.add(id);
    return id;
  };
  const onNet = (userId: string) => ({ callId: randomUUID(), caller: { userId }, destination: '+14155550102', onNet: true, at: T0 });
  const pstn = (userId: string) => ({ callId: randomUUID(), caller: { userId }, destination: '+442071234567', onNet: false, at: T0 });
  const planFor = async (userId: string, onNetRatePerMinute: string): Promise<string> => {
    const plan = await billing.createPricePlan({ name: `plan-${randomUUID().slice(0, 8)}`, currency: 'USD', onNetRatePerMinute });
    await billing.assignPlan(userId, plan.id);
    await billing.addBalance(userId, { amount: '5.00', currency: 'USD', reference: randomUUID() });
    return plan.id;
  };
  const fresh = (defaultPlanName = 'default'): BillingService =>
    createBillingService({ persistence: store, clock: { now: () => T0 }, options: { authorizeTimeoutMs: 200, defaultPlanName } });

  beforeEach(function () {
    store = new InMemoryBillingPersistence(() => T0);
    billing = fresh();
  });

  it('given a caller on a plan known to make on-net calls free, when the database is down, then an on-net call goes on unlimited and a PSTN call fails closed', async function () {
    const alice = user();
    await planFor(alice, '0');
    store.failing = true;
    expect(await billing.authorize(onNet(alice))).to.deep.equal({ allowed: true, reservedSeconds: null });
    expect(await billing.authorize(pstn(alice))).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
  });

  it('given a caller on a plan known to charge on-net calls, when the database is down or too slow, then an on-net call fails closed', async function () {
    const alice = user();
    await planFor(alice, '0.01');
    store.failing = true;
    expect(await billing.authorize(onNet(alice))).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
    store.failing = false;
    store.hanging = true;
    expect(await billing.authorize(onNet(alice))).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
  });

  it('given a caller on a free plan, when the database does not answer in time, then the on-net call goes on after the deadline', async function () {
    const alice = user();
    await planFor(alice, '0');
    store.hanging = true;
    const started = Date.now();
    expect(await billing.authorize(onNet(alice))).to.deep.equal({ allowed: true, reservedSeconds: null });
    expect(Date.now() - started).to.be.below(1000);
  });

  it('given a caller billing has not seen and a free default plan loaded at start, when the database is down, then the default rule lets the on-net call go on', async function () {
    await billing.refreshOnNetRules();
    store.failing = true;
    expect(await billing.authorize(onNet(user()))).to.deep.equal({ allowed: true, reservedSeconds: null });
  });

  it('given a default plan that charges on-net calls, when the database is down, then a caller billing has not seen fails closed', async function () {
    await billing.createPricePlan({ name: 'paid-default', currency: 'USD', onNetRatePerMinute: '0.02' });
    const restarted = fresh('paid-default');
    await restarted.refreshOnNetRules();
    store.failing = true;
    expect(await restarted.authorize(onNet(user()))).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
  });

  it('given billing knows nothing yet (not even the default plan), when the database is down, then an on-net call fails closed', async function () {
    store.failing = true;
    expect(await billing.authorize(onNet(user()))).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
  });

  it('given a plan assigned through another instance, when the rules are refreshed, then the outage answer follows the new plan', async function () {
    const alice = user();
    await planFor(alice, '0');
    const paid = await billing.createPricePlan({ name: 'paid-on-net', currency: 'USD', onNetRatePerMinute: '0.01' });
    const other = fresh();
    await other.assignPlan(alice, paid.id);
    expect(billing.outageAnswer(onNet(alice)), 'before the refresh').to.deep.equal({ allowed: true, reservedSeconds: null });
    await billing.refreshOnNetRules();
    expect(billing.outageAnswer(onNet(alice))).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
  });

  it('given the outage answer is asked directly (call-state does when an authorizer throws), then it follows the same rules and never answers a PSTN call', async function () {
    const free = user();
    const paid = user();
    await planFor(free, '0');
    await planFor(paid, '0.01');
    expect(billing.outageAnswer(onNet(free))).to.deep.equal({ allowed: true, reservedSeconds: null });
    expect(billing.outageAnswer(onNet(paid))).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
    expect(billing.outageAnswer(pstn(free))).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
  });
});

describe('on-net rules: what billing remembers', function () {
  it('given more users than it keeps, then the least recently seen is forgotten and falls back to the default plan', function () {
    const rules = new OnNetRules(2);
    rules.rememberDefault({ id: 'default', onNetRatePerMinuteMicros: 0n, onNetConnectFeeMinor: 0n });
    rules.rememberPlan({ id: 'paid', onNetRatePerMinuteMicros: 0n, onNetConnectFeeMinor: 1n });
    rules.rememberUser('a', 'paid');
    rules.rememberUser('b', 'paid');
    rules.rememberUser('a', 'paid');
    rules.rememberUser('c', 'paid');
    expect(rules.ruleOf('a')).to.deep.equal({ free: false, source: 'plan' });
    expect(rules.ruleOf('b')).to.deep.equal({ free: true, source: 'default' });
    expect(rules.ruleOf('c')).to.deep.equal({ free: false, source: 'plan' });
    rules.rememberUser('d', 'unknown-plan');
    expect(rules.ruleOf('d'), 'a plan whose rule is not known').to.equal(undefined);
  });
});
