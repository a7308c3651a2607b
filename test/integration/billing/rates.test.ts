import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type BillingService, createBillingModule } from '../../../app/billing';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { unitOfWorkOf } from '../../../app/shared/infra/unit-of-work';
import { systemClock } from '../../../app/shared/kernel';
import { testEnv } from '../../support/test-env';
import { endedEvent, newUser, PLAN_CSV_HEADER, uniquePlanName } from './support';

function* chunked(text: string, size: number): Generator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

describe('integration: billing price plans and rates', function () {
  let db: Database;
  let billing: BillingService;

  before(function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 8 });
    billing = createBillingModule({ db, clock: systemClock });
  });

  after(async function () {
    await db?.$disconnect();
  });

  const call = (userId: string, destination: string, at: Date, onNet = false) => ({ callId: randomUUID(), caller: { userId }, destination, onNet, at });

  it('given a file with bad and clashing rows, then every one is reported with its line and nothing is imported', async function () {
    const plan = await billing.createPricePlan({ name: uniquePlanName(), currency: 'USD' });
    await billing.importRates(plan.id, `${PLAN_CSV_HEADER}\n44,0.10,,,,,\n`);
    const csv = [PLAN_CSV_HEADER, '33,0.10,,,,,', '3x,0.10,,,,,', '34,-1,,,,,', '35,0.10,0.001,,,,', '33,0.20,,,,,', '36,0.1,,0,,,', '37,0.1,,,,10:00,', ''].join('\n');
    const error = await billing.importRates(plan.id, csv).catch((e: unknown) => e);
    expect(error).to.include({ code: 'RATES.INVALID' });
    const details = (error as { details: { errors: Array<{ line: number; field?: string }>; errorCount: number } }).details;
    expect(details.errors.map((e) => [e.line, e.field])).to.deep.equal([
      [3, 'prefix'],
      [4, 'rate_per_minute'],
      [5, 'connect_fee'],
      [6, 'prefix'],
      [7, 'first_increment'],
      [8, 'time_to'],
    ]);
    expect((await billing.getPricePlan(plan.id)).rateCount).to.equal(1);
  });

  it('given a large deck streamed in small chunks, then it replaces the previous deck and prices by the longest prefix', async function () {
    this.timeout(120_000);
    const plan = await billing.createPricePlan({ name: uniquePlanName(), currency: 'EUR' });
    await billing.importRates(plan.id, `${PLAN_CSV_HEADER}\n9,9.99,,,,,\n`);
    const lines = [PLAN_CSV_HEADER];
    for (let i = 0; i < 50_000; i += 1) lines.push(`49${String(i).padStart(6, '0')},0.0${(i % 9) + 1},,,,,`);
    lines.push('49,0.50,0.05,30,6,,');
    const started = Date.now();
    const result = await billing.importRates(plan.id, chunked(`${lines.join('\r\n')}\r\n`, 1000));
    console.log(`      (50,001 rates imported in ${Date.now() - started} ms)`);
    expect(result).to.deep.equal({ planId: plan.id, imported: 50_001 });
    expect((await billing.getPricePlan(plan.id)).rateCount).to.equal(50_001);
    expect(await db.planRate.count({ where: { planId: plan.id, prefix: '9' } })).to.equal(0);

    const user = await newUser(db);
    await billing.assignPlan(user.id, plan.id);
    await billing.addBalance(user.id, { amount: '10.00', currency: 'EUR', reference: 'seed' });
    expect(await billing.authorize(call(user.id, '+33123456789', new Date()))).to.deep.equal({ allowed: false, reason: 'no_rate' });
    const country = call(user.id, '+4912345678', new Date());
    expect(await billing.authorize(country)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    expect(await db.reservation.findUniqueOrThrow({ where: { callId: country.callId } })).to.include({ prefix: '49', ratePerMinuteMicros: 500_000n, firstIncrementSeconds: 30, nextIncrementSeconds: 6 });
    const longest = call(user.id, '+4900012355512', new Date());
    expect(await billing.authorize(longest)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    // Line 125 of the deck: 49000123 at 0.07.
    expect(await db.reservation.findUniqueOrThrow({ where: { callId: longest.callId } })).to.include({ prefix: '49000123', ratePerMinuteMicros: 70_000n, firstIncrementSeconds: 60 });
  });

  it('given a night band in the plan time zone, then a call starting inside it gets the band rate and one outside the all-day rate', async function () {
    const plan = await billing.createPricePlan({ name: uniquePlanName(), currency: 'USD', timeZone: 'America/New_York' });
    await billing.importRates(plan.id, `${PLAN_CSV_HEADER}\n1,0.10,,,,,\n1,0.02,,,,22:00,07:00\n`);
    const user = await newUser(db);
    await billing.assignPlan(user.id, plan.id);
    await billing.addBalance(user.id, { amount: '5.00', currency: 'USD', reference: 'seed' });
    // 03:30 UTC is 22:30 in New York (EST, UTC-5); 15:00 UTC is 10:00.
    const night = call(user.id, '+14155550100', new Date('2026-11-25T03:30:00Z'));
    const day = call(user.id, '+14155550100', new Date('2026-11-25T15:00:00Z'));
    await billing.authorize(night);
    await billing.authorize(day);
    expect((await db.reservation.findUniqueOrThrow({ where: { callId: night.callId } })).ratePerMinuteMicros).to.equal(20_000n);
    expect((await db.reservation.findUniqueOrThrow({ where: { callId: day.callId } })).ratePerMinuteMicros).to.equal(100_000n);
  });

  it('given a plan that charges on-net calls, then an on-net call reserves credit and is charged by the plan rule', async function () {
    const plan = await billing.createPricePlan({ name: uniquePlanName(), currency: 'USD', onNetRatePerMinute: '0.01', onNetConnectFee: '0.02', rounding: 'nearest' });
    const caller = await newUser(db);
    const callee = await newUser(db);
    await billing.assignPlan(caller.id, plan.id);
    await billing.addBalance(caller.id, { amount: '1.00', currency: 'USD', reference: 'seed' });
    const request = call(caller.id, callee.phoneNumber, new Date(), true);
    expect(await billing.authorize(request)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    const charge = await db.$transaction((tx) => billing.settle(unitOfWorkOf(tx), endedEvent({ callId: request.callId, caller, dialed: callee.username, talkMs: 150_000 })));
    // 0.02 + 3 minutes at 0.01.
    expect(charge).to.include({ amountMinor: 5n, billedSeconds: 180, shortfallMinor: 0n });
  });

  it('given an account in USD, then a EUR plan, a EUR top-up or an unknown plan are refused and nothing changes', async function () {
    const user = await newUser(db);
    await billing.addBalance(user.id, { amount: '1.00', currency: 'USD', reference: 'seed' });
    const eur = await billing.createPricePlan({ name: uniquePlanName(), currency: 'EUR' });
    expect(await billing.assignPlan(user.id, eur.id).catch((e: unknown) => e)).to.include({ code: 'BILLING.CURRENCY_MISMATCH' });
    expect(await billing.addBalance(user.id, { amount: '1.00', currency: 'EUR', reference: 'x' }).catch((e: unknown) => e)).to.include({ code: 'BILLING.CURRENCY_MISMATCH' });
    expect(await billing.assignPlan(user.id, randomUUID()).catch((e: unknown) => e)).to.include({ code: 'PRICE_PLAN.NOT_FOUND' });
    expect(await billing.getBalance(user.id)).to.deep.include({ currency: 'USD', balanceMinor: 100n });
  });

  it('given the database is unreachable from the start (nothing known of any plan), then a paid call and an on-net call are refused as billing_unavailable (see outage-rules.test.ts for an outage after start)', async function () {
    const down = createDatabase({ url: 'postgresql://nobody:nothing@127.0.0.1:9/none', poolSize: 1 });
    const unreachable = createBillingModule({ db: down, clock: systemClock, options: { authorizeTimeoutMs: 3000 } });
    try {
      expect(await unreachable.authorize(call(randomUUID(), '+442071234567', new Date()))).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
      expect(await unreachable.authorize(call(randomUUID(), '+14155550100', new Date(), true))).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
      expect(await unreachable.extend(randomUUID())).to.deep.equal({ allowed: false, reason: 'billing_unavailable' });
    } finally {
      await down.$disconnect();
    }
  });
});
