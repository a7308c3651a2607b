import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type BillingService, type CallCharge, createBillingModule } from '../../../app/billing';
import { type CallEnded } from '../../../app/shared/events';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { unitOfWorkOf } from '../../../app/shared/infra/unit-of-work';
import { type Clock } from '../../../app/shared/kernel';
import { uniquePhoneNumber, uniqueUsername } from '../../support/admin-client';
import { testEnv } from '../../support/test-env';

const RATES = ['prefix,rate_per_minute,connect_fee,first_increment,next_increment,time_from,time_to', '44,0.05,0.01,30,6,,', '49,0.08,,60,60,,', '1,0.012,,1,1,,'].join('\n');
const AT = new Date('2026-11-20T10:00:00.000Z');

// One scripted call: how it starts (authorised by billing or not) and how it ends.
interface Script {
  user: number;
  destination: string;
  onNet?: boolean;
  authorised?: boolean;
  talkSeconds?: number; // undefined: not answered
  settledBefore?: boolean;
  repeatOf?: number; // the same call's ended event again, within the batch
}

// Two identical worlds (users, plan, credit, reservations); world A is settled by billing's
// settle(), call after call in one transaction; world B by billing's settleMany() in one. Every row
// billing owns must come out the same, bar ids and timestamps.
describe('integration: billing settleMany has exactly the effects of settle', function () {
  this.timeout(60_000);
  let db: Database;
  let billing: BillingService;
  let planId: string;
  const clock: Clock = { now: () => new Date('2026-11-20T12:00:00.000Z') };

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    billing = createBillingModule({ db, clock });
    const plan = await billing.createPricePlan({ name: `batch-settle-${randomUUID().slice(0, 8)}`, currency: 'USD' });
    planId = plan.id;
    await billing.importRates(planId, RATES);
  });

  after(async function () {
    await db?.$disconnect();
  });

  async function world(credits: string[], scripts: Script[]): Promise<{ users: string[]; events: CallEnded[] }> {
    const users: string[] = [];
    for (const credit of credits) {
      const row = await db.user.create({ data: { username: uniqueUsername('bset'), phoneNumber: uniquePhoneNumber() } });
      await billing.assignPlan(row.id, planId);
      await billing.addBalance(row.id, { amount: credit, currency: 'USD', reference: 'seed' });
      users.push(row.id);
    }
    const events: CallEnded[] = [];
    for (const script of scripts) {
      if (script.repeatOf !== undefined) {
        events.push({ ...events[script.repeatOf]!, id: randomUUID() });
        continue;
      }
      const userId = users[script.user]!;
      const callId = randomUUID();
      if (script.authorised ?? true) {
        await billing.authorize({ callId, caller: { userId }, destination: script.destination, onNet: script.onNet ?? false, at: AT });
      }
      const answered = script.talkSeconds !== undefined;
      const answeredAt = new Date(AT.getTime() + 3000);
      const talkMs = (script.talkSeconds ?? 0) * 1000;
      const event: CallEnded = {
        id: randomUUID(),
        version: 1,
        type: 'call.v1.ended',
        callId,
        occurredAt: new Date(answeredAt.getTime() + talkMs).toISOString(),
        caller: { userId, username: 'x', phoneNumber: '+14155550100' },
        dialed: script.destination,
        cause: answered ? 'completed' : 'no_answer',
        requestedAt: AT.toISOString(),
        ...(answered ? { answeredAt: answeredAt.toISOString() } : {}),
        endedAt: new Date(answeredAt.getTime() + talkMs).toISOString(),
        talkMs,
        quality: {},
        history: [],
      };
      if (script.settledBefore) await db.$transaction((tx) => billing.settle(unitOfWorkOf(tx), event));
      events.push(event);
    }
    return { users, events };
  }

  // Billing's rows of a world with its own ids replaced by positions, so two worlds compare.
  async function snapshot(users: string[], events: CallEnded[], charges: Array<CallCharge | undefined>): Promise<unknown> {
    const callIndex = new Map<string, number>();
    events.forEach((event, index) => callIndex.set(event.callId, callIndex.get(event.callId) ?? index));
    const userIndex = new Map(users.map((id, index) => [id, index]));
    const accounts = await db.account.findMany({ where: { userId: { in: users } } });
    const entries = await db.ledgerEntry.findMany({ where: { userId: { in: users } }, orderBy: { id: 'asc' } });
    const reservations = await db.reservation.findMany({ where: { callId: { in: events.map((e) => e.callId) } } });
    return {
      charges: charges.map((charge) => charge && { ...charge, callId: callIndex.get(charge.callId), userId: userIndex.get(charge.userId), chargedMinor: undefined }),
      accounts: accounts.map((a) => ({ user: userIndex.get(a.userId), balance: a.balanceMinor, reserved: a.reservedMinor })).sort((a, b) => a.user! - b.user!),
      entries: entries.map((e) => ({ user: userIndex.get(e.userId), call: e.callId ? callIndex.get(e.callId) : null, kind: e.kind, amount: e.amountMinor, balanceAfter: e.balanceAfter, reservedAfter: e.reservedAfter, reference: e.reference })),
      reservations: reservations
        .map((r) => ({ call: callIndex.get(r.callId), status: r.status, charged: r.chargedMinor, reserved: r.reservedMinor, settledAt: r.settledAt?.toISOString() ?? null }))
        .sort((a, b) => a.call! - b.call!),
    };
  }

  async function compare(credits: string[], scripts: Script[]): Promise<{ a: unknown; b: unknown }> {
    const a = await world(credits, scripts);
    const b = await world(credits, scripts);
    const chargesA = await db.$transaction(async (tx) => {
      const out: Array<CallCharge | undefined> = [];
      for (const event of a.events) out.push(await billing.settle(unitOfWorkOf(tx), event));
      return out;
    });
    const chargesB = await db.$transaction((tx) => billing.settleMany(unitOfWorkOf(tx), b.events));
    return { a: await snapshot(a.users, a.events, chargesA), b: await snapshot(b.users, b.events, chargesB) };
  }

  it('given answered calls shorter and longer than their reservation, unanswered ones and calls of one account in a row, then the same charges, ledger entries, balances and reservations', async function () {
    const { a, b } = await compare(
      ['100.00', '25.00'],
      [
        { user: 0, destination: '+442071234567', talkSeconds: 75 }, // past the first slice: extra reserve
        { user: 0, destination: '+442071234567', talkSeconds: 20 }, // within it: the rest released
        { user: 1, destination: '+4930123456' }, // unanswered: all released
        { user: 0, destination: '+14155550123', talkSeconds: 301 }, // per second
        { user: 1, destination: '+4930123456', talkSeconds: 0 }, // answered, no talk: nothing charged
        { user: 1, destination: '+442071234567', talkSeconds: 3599 },
      ],
    );
    expect(b).to.deep.equal(a);
    expect((a as { entries: unknown[] }).entries.length).to.be.above(8);
  });

  it('given a call that talks past all the credit, then the same capped charge and shortfall', async function () {
    const { a, b } = await compare(['0.20'], [
      { user: 0, destination: '+442071234567', talkSeconds: 900 },
      { user: 0, destination: '+4930123456', talkSeconds: 60 },
    ]);
    expect(b).to.deep.equal(a);
    expect((a as { charges: Array<{ shortfallMinor: bigint }> }).charges[0]!.shortfallMinor > 0n, 'a shortfall').to.be.true;
  });

  it('given an on-net call, a call billing never authorised, one settled before and one ended twice in the batch, then the same results', async function () {
    const { a, b } = await compare(['10.00'], [
      { user: 0, destination: '+14155550199', onNet: true, talkSeconds: 120 },
      { user: 0, destination: '+442071234567', authorised: false, talkSeconds: 60 },
      { user: 0, destination: '+442071234567', talkSeconds: 45, settledBefore: true },
      { user: 0, destination: '+4930123456', talkSeconds: 130 },
      { user: 0, destination: '+4930123456', repeatOf: 3 },
    ]);
    expect(b).to.deep.equal(a);
  });
});
