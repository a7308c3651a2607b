import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type BillingService, createBillingService } from '../../../app/billing';
import { type CallEnded } from '../../../app/shared/events';
import { type UnitOfWork } from '../../../app/shared/kernel';
import { InMemoryBillingPersistence } from './in-memory-billing-persistence';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const T0 = new Date('2026-11-25T10:00:00.000Z');
const tx = {} as UnitOfWork;
const HEADER = 'prefix,rate_per_minute,connect_fee,first_increment,next_increment';

function ended(callId: string, talkMs: number): CallEnded {
  return {
    id: `ended-${callId}`,
    version: 1,
    type: 'call.v1.ended',
    callId,
    occurredAt: T0.toISOString(),
    caller: { userId: ALICE, username: 'alice', phoneNumber: '+14155550101' },
    dialed: '+442071234567',
    cause: talkMs > 0 ? 'completed' : 'no_answer',
    requestedAt: T0.toISOString(),
    ...(talkMs > 0 ? { answeredAt: new Date(T0.getTime() + 2000).toISOString() } : {}),
    endedAt: T0.toISOString(),
    talkMs,
    quality: {},
    history: [],
  };
}

// The call path settles a paid call as it ends (app/billing/end-of-call.ts); the invoice
// consumer's settle()/settleMany() of the same event later must repeat nothing.
describe('billing: settlement at call end', function () {
  let store: InMemoryBillingPersistence;
  let billing: BillingService;

  const pstn = () => ({ callId: randomUUID(), caller: { userId: ALICE }, destination: '+442071234567', onNet: false, at: T0 });
  const entriesOf = (callId: string) => store.entries.filter((e) => e.callId === callId).map((e) => [e.kind, e.amountMinor]);

  beforeEach(async function () {
    store = new InMemoryBillingPersistence(() => T0);
    store.activeUsers.add(ALICE);
    billing = createBillingService({ persistence: store, clock: { now: () => T0 }, options: { authorizeTimeoutMs: 200 } });
    const plan = await billing.createPricePlan({ name: 'retail', currency: 'USD' });
    // 0.60/min + 0.10 per call, per minute: a first slice of 60 s holds 0.70.
    await billing.importRates(plan.id, `${HEADER}\n44,0.60,0.10,,\n`);
    await billing.assignPlan(ALICE, plan.id);
    await billing.addBalance(ALICE, { amount: '1.00', currency: 'USD', reference: randomUUID() });
  });

  it('given credit for one call, when the first ends, then its talk time is charged, the rest freed, and a second call is granted', async function () {
    const first = pstn();
    expect(await billing.authorize(first)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
    // Without the first's settlement, 0.30 is left: less than a first minute and its fee.
    expect(await billing.authorize(pstn())).to.deep.equal({ allowed: false, reason: 'no_credit' });
    await billing.settleEnded(ended(first.callId, 5_000));
    expect(entriesOf(first.callId)).to.deep.equal([['reserve', 70n], ['charge', 70n]]);
    expect(await billing.getBalance(ALICE)).to.deep.include({ balanceMinor: 30n, reservedMinor: 0n });

    await billing.addBalance(ALICE, { amount: '0.70', currency: 'USD', reference: randomUUID() });
    const second = pstn();
    expect(await billing.authorize(second)).to.deep.equal({ allowed: true, reservedSeconds: 60 });
  });

  it('given a call settled at its end, when the consumer settles its event (one by one or in a batch), then it gets the same charge and writes nothing', async function () {
    const call = pstn();
    await billing.authorize(call);
    const event = ended(call.callId, 65_000);
    await billing.settleEnded(event);
    const entries = store.entries.length;
    const balance = await billing.getBalance(ALICE);
    const charge = await billing.settle(tx, event);
    expect(charge).to.include({ callId: call.callId, talkSeconds: 65, billedSeconds: 120, amountMinor: 130n, chargedMinor: 100n, shortfallMinor: 30n });
    expect(await billing.settleMany(tx, [event])).to.deep.equal([charge]);
    expect(store.entries).to.have.length(entries);
    expect(await billing.getBalance(ALICE)).to.deep.equal(balance);
  });

  it('given a call the consumer settled first, then the settlement at its end writes nothing', async function () {
    const call = pstn();
    await billing.authorize(call);
    const event = ended(call.callId, 5_000);
    await billing.settle(tx, event);
    const entries = store.entries.length;
    await billing.settleEnded(event);
    expect(store.entries).to.have.length(entries);
    expect(await billing.getBalance(ALICE)).to.deep.include({ balanceMinor: 30n, reservedMinor: 0n });
  });

  it('given a call billing has no reservation of, then the settlement at its end writes nothing and leaves the tombstone to the consumer', async function () {
    const call = pstn();
    await billing.settleEnded(ended(call.callId, 0));
    expect(store.reservations.has(call.callId)).to.equal(false);
    expect(await billing.settle(tx, ended(call.callId, 0))).to.equal(undefined);
    expect(store.reservations.get(call.callId)).to.include({ status: 'void' });
  });

  it('given an unanswered paid call, then its whole reservation is released at its end', async function () {
    const call = pstn();
    await billing.authorize(call);
    await billing.settleEnded(ended(call.callId, 0));
    expect(entriesOf(call.callId)).to.deep.equal([['reserve', 70n], ['release', 70n]]);
    expect(store.reservations.get(call.callId)).to.include({ status: 'settled', chargedMinor: 0n });
  });
});
