import { expect } from 'chai';
import { type AuthorizationRequest, type CallAuthorization, type CallAuthorizer, type Party } from '../../../app/call-state';
import { type CallEnded } from '../../../app/shared/events';
import { advance, answeredCall, endedEvent, type Harness, harness } from './harness';

const alice: Party = { userId: 'u-a', username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: 'u-b', username: 'bob', phoneNumber: '+14155550102' };

// Billing as the call state manager sees it: scripted answers.
class ScriptedBilling implements CallAuthorizer {
  requests: AuthorizationRequest[] = [];
  extensions: CallAuthorization[] = [];
  extendCalls = 0;
  settledAtEnd: CallEnded[] = [];
  settleFails = false;
  outageAnswer?: (request: AuthorizationRequest) => CallAuthorization;
  constructor(public start: CallAuthorization | Error) {}
  authorize(request: AuthorizationRequest): Promise<CallAuthorization> {
    this.requests.push(request);
    return this.start instanceof Error ? Promise.reject(this.start) : Promise.resolve(this.start);
  }
  extend(): Promise<CallAuthorization> {
    this.extendCalls += 1;
    const next = this.extensions.shift();
    return next ? Promise.resolve(next) : Promise.reject(new Error('billing down'));
  }
  settleEnded(event: CallEnded): Promise<void> {
    this.settledAtEnd.push(event);
    return this.settleFails ? Promise.reject(new Error('database down')) : Promise.resolve();
  }
}

const setup = (billing: ScriptedBilling): Harness => harness([alice, bob], { authorizer: billing });


describe('call credit: billing at start and during the call', function () {
  it('given no credit, when a call arrives, then the caller gets 402 before any device rings and the refusal is recorded', async function () {
    const billing = new ScriptedBilling({ allowed: false, reason: 'no_credit' });
    const { manager, sw, store } = setup(billing);
    await manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: new Date() });
    expect(sw.originated()).to.have.length(0);
    expect(sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 402 }]);
    expect(endedEvent(store)).to.include({ cause: 'not_allowed', reason: 'no_credit', sipCode: 402 });
    expect(billing.requests[0]).to.include({ destination: '+14155550102', onNet: true });
  });

  it("given billing throws at call start, when billing's outage answer lets the on-net call go on (a free plan), then it rings unbilled", async function () {
    const billing = new ScriptedBilling(new Error('database down'));
    billing.outageAnswer = (request) => (request.onNet ? { allowed: true, reservedSeconds: null } : { allowed: false, reason: 'billing_unavailable' });
    const { manager, sw } = setup(billing);
    await manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: new Date() });
    expect(sw.of('reject')).to.have.length(0);
    expect(sw.originated()).to.have.length(1);
  });

  it("given billing throws at call start, when billing's outage answer refuses (a plan that charges on-net calls), then the caller gets 503 before anything rings", async function () {
    const billing = new ScriptedBilling(new Error('database down'));
    billing.outageAnswer = () => ({ allowed: false, reason: 'billing_unavailable' });
    const { manager, sw, store } = setup(billing);
    await manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: new Date() });
    expect(sw.originated()).to.have.length(0);
    expect(sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 503 }]);
    expect(endedEvent(store)).to.include({ cause: 'not_allowed', reason: 'billing_unavailable', sipCode: 503 });
  });

  it('given billing throws at call start and offers no outage answer, then an on-net call fails closed with 503', async function () {
    const { manager, sw } = setup(new ScriptedBilling(new Error('database down')));
    await manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: new Date() });
    expect(sw.originated()).to.have.length(0);
    expect(sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 503 }]);
  });

  it('given credit for 10 s and no more, when the call is answered, then it is cut off half a second before 10 s', async function () {
    const billing = new ScriptedBilling({ allowed: true, reservedSeconds: 10 });
    billing.extensions.push({ allowed: true, reservedSeconds: 10 });
    const { manager, sw, store, time } = setup(billing);
    await answeredCall({ manager, sw, time });
    sw.commands.length = 0;
    await advance(time, 9_400);
    expect(sw.of('hangup')).to.have.length(0);
    await advance(time, 100);
    expect(sw.of('hangup').map((command) => command.channelId)).to.include('caller-1');
    expect(endedEvent(store)).to.include({ cause: 'terminated', reason: 'credit_exhausted' });
    expect(billing.extendCalls).to.equal(1);
  });

  it('given more credit is reserved before the limit, then the call goes on and is cut off at the new limit', async function () {
    const billing = new ScriptedBilling({ allowed: true, reservedSeconds: 60 });
    billing.extensions.push({ allowed: true, reservedSeconds: 120 }, { allowed: false, reason: 'no_credit' });
    const { manager, sw, store, time } = setup(billing);
    const callId = await answeredCall({ manager, sw, time });
    await advance(time, 50_000);
    expect(billing.extendCalls).to.equal(1);
    expect((await store.get(callId))?.talkLimitSeconds).to.equal(120);
    await advance(time, 20_000);
    expect(endedEvent(store)).to.equal(undefined);
    await advance(time, 49_500);
    expect(endedEvent(store)).to.include({ reason: 'credit_exhausted' });
  });

  it('given billing fails during the call, then the call still ends at its reserved limit', async function () {
    const billing = new ScriptedBilling({ allowed: true, reservedSeconds: 30 });
    const { manager, sw, store, time } = setup(billing);
    await answeredCall({ manager, sw, time });
    await advance(time, 29_500);
    expect(endedEvent(store)).to.include({ reason: 'credit_exhausted' });
  });

  it('given a free call, then no credit timer runs and the call is never cut off', async function () {
    const billing = new ScriptedBilling({ allowed: true, reservedSeconds: null });
    const { manager, sw, store, time } = setup(billing);
    await answeredCall({ manager, sw, time });
    await advance(time, 6 * 3600_000);
    expect(endedEvent(store)).to.equal(undefined);
    expect(billing.extendCalls).to.equal(0);
  });

  it('given a paid call adopted after a restart, then its cut-off is re-armed from the stored answer time and limit', async function () {
    const billing = new ScriptedBilling({ allowed: true, reservedSeconds: 20 });
    const first = setup(billing);
    await answeredCall(first);
    const stored = await first.store.liveCalls();

    const after = setup(billing);
    for (const call of stored) await after.store.save(call);
    after.time.advance(first.time.now().getTime() - after.time.now().getTime() + 5_000);
    await after.manager.recover();
    const callerChannel = stored[0]?.caller.channelId ?? '';
    const legChannel = stored[0]?.answeredLeg ?? '';
    await after.manager.reconcile(
      [
        { id: callerChannel, createdAt: new Date(0), inApp: 'caller' },
        { id: legChannel, createdAt: new Date(0), inApp: 'answered-leg' },
      ],
      after.time.now(),
    );
    await advance(after.time, 14_400);
    expect(endedEvent(after.store)).to.equal(undefined);
    await advance(after.time, 200);
    expect(endedEvent(after.store)).to.include({ reason: 'credit_exhausted' });
  });

  it('given a paid call, when it ends, then billing settles it at once with the very call.v1.ended the stream will carry', async function () {
    const billing = new ScriptedBilling({ allowed: true, reservedSeconds: 60 });
    const { manager, sw, store, time } = setup(billing);
    const callId = await answeredCall({ manager, sw, time });
    await advance(time, 5_000);
    await manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: 'Normal Clearing', at: time.now() });
    await advance(time, 0);
    expect(billing.settledAtEnd).to.have.length(1);
    expect(billing.settledAtEnd[0]).to.deep.equal(endedEvent(store));
    expect(billing.settledAtEnd[0]).to.include({ callId, talkMs: 5_000 });
  });

  it('given billing fails to settle a paid call at its end, then the call still ends and its event is queued for the consumer', async function () {
    const billing = new ScriptedBilling({ allowed: true, reservedSeconds: 60 });
    billing.settleFails = true;
    const { manager, sw, store, time } = setup(billing);
    await answeredCall({ manager, sw, time });
    await manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: 'Normal Clearing', at: time.now() });
    await advance(time, 0);
    expect(billing.settledAtEnd).to.have.length(1);
    expect(endedEvent(store)).to.include({ cause: 'completed' });
    expect(await store.liveCalls()).to.have.length(0);
  });

  it('given a free call, when it ends, then nothing is settled at its end (it holds no credit)', async function () {
    const billing = new ScriptedBilling({ allowed: true, reservedSeconds: null });
    const { manager, sw, store, time } = setup(billing);
    await answeredCall({ manager, sw, time });
    await manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: 'Normal Clearing', at: time.now() });
    await advance(time, 0);
    expect(endedEvent(store)).to.not.equal(undefined);
    expect(billing.settledAtEnd).to.have.length(0);
  });
});
