import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type BillingService, createBillingModule } from '../../../app/billing';
import { applyOnce } from '../../../app/shared/infra/jetstream';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { unitOfWorkOf } from '../../../app/shared/infra/unit-of-work';
import { systemClock } from '../../../app/shared/kernel';
import { testEnv } from '../../support/test-env';
import { endedEvent, ledgerSums, newUser, PLAN_CSV_HEADER, uniquePlanName } from './support';

// Billing against the real PostgreSQL: the ledger, reservations under concurrency, settlement.
describe('integration: billing ledger and reservations', function () {
  let db: Database;
  let billing: BillingService;
  let planId: string;

  const expectConsistent = async (userId: string): Promise<void> => {
    const account = await db.account.findUniqueOrThrow({ where: { userId } });
    const sums = await ledgerSums(db, userId);
    expect({ balance: account.balanceMinor, reserved: account.reservedMinor }).to.deep.equal({ balance: sums.balance, reserved: sums.reserved });
    expect(account.balanceMinor >= account.reservedMinor && account.reservedMinor >= 0n, 'balance >= reserved >= 0').to.equal(true);
  };
  const settle = (event: ReturnType<typeof endedEvent>) => db.$transaction((tx) => billing.settle(unitOfWorkOf(tx), event));
  const paidUser = async (amount: string) => {
    const user = await newUser(db);
    await billing.assignPlan(user.id, planId);
    await billing.addBalance(user.id, { amount, currency: 'USD', reference: `seed-${randomUUID()}` });
    return user;
  };
  const pstn = (user: { id: string }, destination = '+442071234567') => ({ callId: randomUUID(), caller: { userId: user.id }, destination, onNet: false, at: new Date('2026-11-25T10:00:00Z') });

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 20 });
    billing = createBillingModule({ db, clock: systemClock });
    // UK 0.60/min with a 0.10 connect fee, per minute: 1.00 buys exactly one minute (0.70).
    const plan = await billing.createPricePlan({ name: uniquePlanName('uk'), currency: 'USD' });
    planId = plan.id;
    await billing.importRates(planId, `${PLAN_CSV_HEADER}\n44,0.60,0.10,60,60,,\n1,0.012,,1,1,,\n`);
  });

  after(async function () {
    await db?.$disconnect();
  });

  it('given a new user, when topped up twice with one reference, then one entry is written and the same balance comes back', async function () {
    const user = await newUser(db);
    const first = await billing.addBalance(user.id, { amount: '10.00', currency: 'USD', reference: 'card-1' });
    const again = await billing.addBalance(user.id, { amount: '10.00', currency: 'USD', reference: 'card-1' });
    expect(first).to.deep.include({ currency: 'USD', balanceMinor: 1000n, reservedMinor: 0n, availableMinor: 1000n });
    expect(again).to.deep.equal(first);
    expect(await db.ledgerEntry.count({ where: { userId: user.id } })).to.equal(1);
    await expectConsistent(user.id);
  });

  it('given a used reference, when topped up with another amount, then BILLING.REFERENCE_CONFLICT and the balance is unchanged', async function () {
    const user = await newUser(db);
    await billing.addBalance(user.id, { amount: '5.00', currency: 'USD', reference: 'r-1' });
    const error = await billing.addBalance(user.id, { amount: '6.00', currency: 'USD', reference: 'r-1' }).catch((e: unknown) => e);
    expect(error).to.include({ code: 'BILLING.REFERENCE_CONFLICT' });
    expect((await billing.getBalance(user.id)).balanceMinor).to.equal(500n);
  });

  it('given concurrent retries of one top-up, then it is applied exactly once', async function () {
    const user = await newUser(db);
    const results = await Promise.all(Array.from({ length: 8 }, () => billing.addBalance(user.id, { amount: '2.50', currency: 'USD', reference: 'retry' })));
    for (const result of results) expect(result.balanceMinor).to.equal(250n);
    expect(await db.ledgerEntry.count({ where: { userId: user.id } })).to.equal(1);
    await expectConsistent(user.id);
  });

  it('given credit for one minute, when 5 calls start at once, then one gets 60 s, the others no_credit, and after all end the balance is 0, never below', async function () {
    const user = await paidUser('0.70');
    const requests = Array.from({ length: 5 }, () => pstn(user));
    const answers = await Promise.all(requests.map((request) => billing.authorize(request)));
    expect(answers.filter((a) => a.allowed)).to.deep.equal([{ allowed: true, reservedSeconds: 60 }]);
    expect(answers.filter((a) => !a.allowed)).to.have.length(4).and.to.deep.include({ allowed: false, reason: 'no_credit' });
    await expectConsistent(user.id);
    // Every call "talks" two minutes: only the reserved one was connected, and it is cut at 60 s, but
    // even a late cut-off cannot take the balance below zero.
    const charges = await Promise.all(requests.map((r) => settle(endedEvent({ callId: r.callId, caller: { ...user }, dialed: r.destination, talkMs: 120_000 }))));
    const charged = charges.filter((c) => c !== undefined);
    expect(charged).to.have.length(1);
    expect(charged[0]).to.include({ amountMinor: 130n, chargedMinor: 70n, shortfallMinor: 60n, billedSeconds: 120, talkSeconds: 120 });
    const account = await db.account.findUniqueOrThrow({ where: { userId: user.id } });
    expect({ balance: account.balanceMinor, reserved: account.reservedMinor }).to.deep.equal({ balance: 0n, reserved: 0n });
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
      const account = await db.account.findUniqueOrThrow({ where: { userId: user.id } });
      expect(account.reservedMinor <= account.balanceMinor).to.equal(true);
      await expectConsistent(user.id);
    }
    const reservations = await db.reservation.findMany({ where: { callId: { in: live.map((r) => r.callId) } } });
    const reservedTotal = reservations.reduce((sum, r) => sum + r.reservedMinor, 0n);
    expect(reservedTotal <= 350n).to.equal(true);
    const charges = await Promise.all(live.map((r, i) => settle(endedEvent({ callId: r.callId, caller: { ...user }, dialed: r.destination, talkMs: 30_000 + i * 20_000 }))));
    const paid = charges.reduce((sum, c) => sum + (c?.chargedMinor ?? 0n), 0n);
    const account = await db.account.findUniqueOrThrow({ where: { userId: user.id } });
    expect(account.balanceMinor).to.equal(350n - paid);
    expect(account.reservedMinor).to.equal(0n);
    await expectConsistent(user.id);
  });

  it('given a call with several slices, when it ends, then the real talk time is charged by increments and the rest released', async function () {
    const user = await paidUser('10.00');
    const request = pstn(user, '+15551234567'); // 0.012/min, per second
    expect(await billing.authorize(request)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    expect(await billing.extend(request.callId)).to.deep.equal({ allowed: true, reservedSeconds: 120 });
    const charge = await settle(endedEvent({ callId: request.callId, caller: { ...user }, dialed: request.destination, talkMs: 90_001 }));
    // 91 s at 0.012/min = 1.82 cents, rounded up.
    expect(charge).to.deep.include({ talkSeconds: 91, billedSeconds: 91, amountMinor: 2n, chargedMinor: 2n, shortfallMinor: 0n, ratePerMinuteMicros: 12_000n, currency: 'USD' });
    expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 998n, reservedMinor: 0n });
    const reservation = await db.reservation.findUniqueOrThrow({ where: { callId: request.callId } });
    expect(reservation).to.include({ status: 'settled', chargedMinor: 2n, prefix: '1' });
    await expectConsistent(user.id);
  });

  it('given a settled call, when it is settled again, then nothing changes and the same charge comes back', async function () {
    const user = await paidUser('5.00');
    const request = pstn(user);
    await billing.authorize(request);
    const event = endedEvent({ callId: request.callId, caller: { ...user }, dialed: request.destination, talkMs: 45_000 });
    const first = await settle(event);
    const entries = await db.ledgerEntry.count({ where: { userId: user.id } });
    const second = await settle(event);
    expect(second).to.deep.equal(first);
    expect(await db.ledgerEntry.count({ where: { userId: user.id } })).to.equal(entries);
    expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 430n, reservedMinor: 0n });
  });

  it('given the invoice consumer applying the ended event through applyOnce, then settle runs in its transaction and rolls back with it', async function () {
    const user = await paidUser('5.00');
    const request = pstn(user);
    await billing.authorize(request);
    const event = endedEvent({ callId: request.callId, caller: { ...user }, dialed: request.destination, talkMs: 10_000 });
    const failed = await applyOnce(db, 'billing-it', event.id, async (tx) => {
      await billing.settle(unitOfWorkOf(tx), event);
      throw new Error('the invoice line could not be written');
    }).catch((e: unknown) => e);
    expect(failed).to.be.instanceOf(Error);
    expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 500n, reservedMinor: 70n });
    expect(await applyOnce(db, 'billing-it', event.id, async (tx) => void (await billing.settle(unitOfWorkOf(tx), event)))).to.equal(true);
    expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 430n, reservedMinor: 0n });
  });

  it('given an unanswered call, when it ends, then its whole reservation is released and there is no charge', async function () {
    const user = await paidUser('5.00');
    const request = pstn(user);
    await billing.authorize(request);
    expect(await settle(endedEvent({ callId: request.callId, caller: { ...user }, dialed: request.destination, talkMs: 0, answered: false }))).to.equal(undefined);
    expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 500n, reservedMinor: 0n });
    await expectConsistent(user.id);
  });

  it('given a destination the plan does not price, then no_rate; given no account, then no_credit; given an on-net call on the default plan, then free and a zero charge', async function () {
    const user = await paidUser('5.00');
    expect(await billing.authorize(pstn(user, '+33123456789'))).to.deep.equal({ allowed: false, reason: 'no_rate' });
    const broke = await newUser(db);
    await billing.assignPlan(broke.id, planId);
    expect(await billing.authorize(pstn(broke))).to.deep.equal({ allowed: false, reason: 'no_credit' });
    const stranger = await newUser(db);
    const onNet = { callId: randomUUID(), caller: { userId: stranger.id }, destination: user.phoneNumber, onNet: true, at: new Date() };
    expect(await billing.authorize(onNet)).to.deep.equal({ allowed: true, reservedSeconds: null });
    expect(await billing.extend(onNet.callId)).to.deep.equal({ allowed: true, reservedSeconds: null });
    const charge = await settle(endedEvent({ callId: onNet.callId, caller: { ...stranger }, dialed: user.username, talkMs: 300_000 }));
    expect(charge).to.deep.include({ amountMinor: 0n, chargedMinor: 0n, talkSeconds: 300, destination: user.phoneNumber });
  });

  it('given a reservation whose call end was lost, when the sweep runs past the stale age, then its credit is released, and a late end still charges it', async function () {
    const user = await paidUser('5.00');
    const request = pstn(user);
    await billing.authorize(request);
    const longAgo = new Date(Date.now() - 7 * 3_600_000);
    await db.reservation.update({ where: { callId: request.callId }, data: { createdAt: longAgo } });
    await db.ledgerEntry.updateMany({ where: { callId: request.callId }, data: { createdAt: longAgo } });
    expect(await billing.releaseStaleReservations()).to.be.at.least(1);
    expect(await db.reservation.findUniqueOrThrow({ where: { callId: request.callId } })).to.include({ status: 'expired' });
    expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 500n, reservedMinor: 0n });
    const charge = await settle(endedEvent({ callId: request.callId, caller: { ...user }, dialed: request.destination, talkMs: 60_000 }));
    expect(charge).to.include({ amountMinor: 70n, chargedMinor: 70n });
    expect(await billing.getBalance(user.id)).to.deep.include({ balanceMinor: 430n, reservedMinor: 0n });
    await expectConsistent(user.id);
  });

  it('given a reservation extended recently, then the sweep leaves it alone', async function () {
    const user = await paidUser('5.00');
    const request = pstn(user);
    await billing.authorize(request);
    await db.reservation.update({ where: { callId: request.callId }, data: { createdAt: new Date(Date.now() - 7 * 3_600_000) } });
    await billing.releaseStaleReservations();
    expect(await db.reservation.findUniqueOrThrow({ where: { callId: request.callId } })).to.include({ status: 'open' });
  });
});
