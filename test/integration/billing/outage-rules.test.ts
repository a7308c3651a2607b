import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createBillingModule } from '../../../app/billing';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { systemClock } from '../../../app/shared/kernel';
import { TcpProxy } from '../../support/tcp-proxy';
import { testEnv } from '../../support/test-env';
import { newUser, uniquePlanName } from './support';

// The outage answer's knowledge, read from PostgreSQL: every plan's on-net rule and the plans of the
// users an instance has seen, including plans assigned through another instance.
describe('integration: what billing knows of on-net prices for an outage', function () {
  let db: Database;

  before(function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
  });

  after(async function () {
    await db?.$disconnect();
  });

  it('given a plan assigned through another instance, when this one refreshes its rules, then its outage answer follows the new plan', async function () {
    const here = createBillingModule({ db, clock: systemClock });
    const there = createBillingModule({ db, clock: systemClock });
    const free = await here.createPricePlan({ name: uniquePlanName('free'), currency: 'USD' });
    const paid = await there.createPricePlan({ name: uniquePlanName('paid'), currency: 'USD', onNetRatePerMinute: '0.05' });
    const user = await newUser(db);
    await here.assignPlan(user.id, free.id);
    const call = { callId: randomUUID(), caller: { userId: user.id }, destination: '+14155550102', onNet: true, at: new Date() };
    expect(here.outageAnswer(call)).to.deep.equal({ allowed: true, reservedSeconds: null });

    await there.assignPlan(user.id, paid.id);
    expect(here.outageAnswer(call), 'not refreshed yet').to.deep.equal({ allowed: true, reservedSeconds: null });
    await here.refreshOnNetRules();
    expect(here.outageAnswer(call)).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
  });

  it('given billing loses its database after it started, then a PSTN call and an on-net call on a paid plan fail closed, and on-net calls on free plans (known, or the default for a user not seen) go on unbilled', async function () {
    const target = new URL(testEnv.databaseUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.start();
    const viaProxy = new URL(testEnv.databaseUrl);
    viaProxy.port = String(proxy.port);
    const flaky = createDatabase({ url: viaProxy.toString(), poolSize: 2 });
    try {
      const billing = createBillingModule({ db: flaky, clock: systemClock, options: { authorizeTimeoutMs: 3000 } });
      await billing.refreshOnNetRules();
      const paid = await billing.createPricePlan({ name: uniquePlanName('paid'), currency: 'USD', onNetRatePerMinute: '0.05' });
      const free = await billing.createPricePlan({ name: uniquePlanName('free'), currency: 'USD' });
      const [onPaid, onFree] = [await newUser(db), await newUser(db)];
      await billing.assignPlan(onPaid.id, paid.id);
      await billing.assignPlan(onFree.id, free.id);
      proxy.cut();
      const call = (userId: string, onNet = true) => ({ callId: randomUUID(), caller: { userId }, destination: onNet ? '+14155550102' : '+442071234567', onNet, at: new Date() });
      expect(await billing.authorize(call(onPaid.id)), 'on-net, paid plan').to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
      expect(await billing.authorize(call(onFree.id)), 'on-net, free plan').to.deep.equal({ allowed: true, reservedSeconds: null });
      expect(await billing.authorize(call(randomUUID())), 'on-net, a user not seen: the default plan').to.deep.equal({ allowed: true, reservedSeconds: null });
      expect(await billing.authorize(call(onFree.id, false)), 'PSTN').to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
    } finally {
      await proxy.stop();
      await flaky.$disconnect();
    }
  });

  it('given an instance that just started, when it loads its rules, then a user it has not seen gets the default plan rule (free on-net)', async function () {
    const started = createBillingModule({ db, clock: systemClock });
    const call = { callId: randomUUID(), caller: { userId: randomUUID() }, destination: '+14155550102', onNet: true, at: new Date() };
    expect(started.outageAnswer(call), 'nothing known yet').to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
    await started.refreshOnNetRules();
    expect(started.outageAnswer(call)).to.deep.equal({ allowed: true, reservedSeconds: null });
  });
});
