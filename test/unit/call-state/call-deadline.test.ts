import { expect } from 'chai';
import { type AuthorizationRequest, type CallAuthorization, type CallAuthorizer, Call, type ChannelTimes, type Party, type SwitchCallLog } from '../../../app/call-state';
import { hangupDeadlineOf, lateCutOffOf, SWITCH_CUTOFF_MARGIN_MS, talkEndSeenBySwitch } from '../../../app/call-state/call-deadline';
import { CUTOFF_MARGIN_MS } from '../../../app/call-state/call-timers';
import { type CallId } from '../../../app/shared/kernel';
import { advance, answeredCall, endedEvent, harness } from './harness';

const alice: Party = { userId: 'u-a', username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: 'u-b', username: 'bob', phoneNumber: '+14155550102' };
// A minute before the harness's manual clock starts.
const t0 = new Date('2026-11-25T09:59:00Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);

// Billing that grants `first` seconds at the start and then what `extensions` say, in order.
class Grants implements CallAuthorizer {
  constructor(
    private readonly first: number | null,
    readonly extensions: CallAuthorization[] = [],
  ) {}
  authorize(_request: AuthorizationRequest): Promise<CallAuthorization> {
    return Promise.resolve({ allowed: true, reservedSeconds: this.first });
  }
  extend(): Promise<CallAuthorization> {
    return Promise.resolve(this.extensions.shift() ?? { allowed: true, reservedSeconds: this.first });
  }
}

// The switch's log as a fixed set of records.
const switchLog = (records: Record<string, ChannelTimes>): SwitchCallLog & { asked: string[][] } => {
  const asked: string[][] = [];
  return {
    asked,
    timesOf: (channelIds) => {
      asked.push([...channelIds]);
      return Promise.resolve(new Map(Object.entries(records).filter(([id]) => channelIds.includes(id))));
    },
  };
};

function answered(limitSeconds: number | undefined): Call {
  const call = Call.start('c1' as CallId, { ...alice, channelId: 'caller' }, 'bob', t0);
  call.callee = bob;
  call.apply((state) => state.route(), t0);
  call.legs.push({ channelId: 'leg', contactUri: 'sip:bob@10.0.0.1:5062', state: { name: 'answered' } });
  call.apply((state) => state.answer('leg'), at(1_000));
  call.talkLimitSeconds = limitSeconds;
  return call;
}

describe('switch deadline: the switch ends a paid call at its granted credit', function () {
  describe('the deadline', function () {
    it('given a call answered with 10 s reserved, then the switch deadline is its answer + 10 s less the margin, after the controller\'s own cut-off and before the credit is spent', function () {
      expect(hangupDeadlineOf(answered(10))).to.deep.equal(at(1_000 + 10_000 - SWITCH_CUTOFF_MARGIN_MS));
      expect(SWITCH_CUTOFF_MARGIN_MS).to.be.greaterThan(0).and.lessThan(CUTOFF_MARGIN_MS);
    });

    it('given a free call or one not answered yet, then it has no deadline', function () {
      expect(hangupDeadlineOf(answered(undefined))).to.equal(undefined);
      const ringing = Call.start('c2' as CallId, { ...alice, channelId: 'caller' }, 'bob', t0);
      ringing.talkLimitSeconds = 10;
      expect(hangupDeadlineOf(ringing)).to.equal(undefined);
    });
  });

  describe('the end the switch saw', function () {
    it('given hang-ups of both channels, then the talk ended at the first', function () {
      const times = new Map([['caller', { hungUpAt: at(9_800) }], ['leg', { hungUpAt: at(9_750) }]]);
      expect(talkEndSeenBySwitch(answered(10), times, at(60_000))).to.deep.equal(at(9_750));
    });

    it('given no hang-up recorded (only answers, or other channels), then it is unknown', function () {
      expect(talkEndSeenBySwitch(answered(10), new Map([['caller', { answeredAt: at(1_000) }], ['other', { hungUpAt: at(2_000) }]]), at(60_000))).to.equal(undefined);
    });

    it('given a hang-up before the answer or after now (clocks apart), then it is held between the two', function () {
      expect(talkEndSeenBySwitch(answered(10), new Map([['leg', { hungUpAt: at(500) }]]), at(60_000))).to.deep.equal(at(1_000));
      expect(talkEndSeenBySwitch(answered(10), new Map([['leg', { hungUpAt: at(70_000) }]]), at(60_000))).to.deep.equal(at(60_000));
    });

    it('given a cut-off that fires on time, then it is not late; fired late, it ends at the switch\'s hang-up, or its deadline when none is known; a hang-up well before the deadline was a party\'s', function () {
      const deadline = at(10_750);
      expect(lateCutOffOf(deadline, at(10_500), undefined)).to.equal(undefined);
      expect(lateCutOffOf(undefined, at(30_000), undefined)).to.equal(undefined);
      expect(lateCutOffOf(deadline, at(30_000), undefined)).to.deep.equal({ at: deadline, partyHungUp: false });
      expect(lateCutOffOf(deadline, at(30_000), at(10_760))).to.deep.equal({ at: at(10_760), partyHungUp: false });
      expect(lateCutOffOf(deadline, at(30_000), at(5_000))).to.deep.equal({ at: at(5_000), partyHungUp: true });
    });
  });

  describe('the call state manager', function () {
    it('given a paid call with 10 s granted, when it is answered, then both its channels carry the deadline', async function () {
      const context = harness([alice, bob], { authorizer: new Grants(10) });
      const answeredAt = context.time.now().getTime();
      await answeredCall(context);
      const leg = context.sw.originated()[0]?.channelId ?? '';
      const deadline = new Date(answeredAt + 10_000 - SWITCH_CUTOFF_MARGIN_MS);
      expect([...context.sw.deadlines]).to.have.deep.members([
        ['caller-1', deadline],
        [leg, deadline],
      ]);
    });

    it('given a free call, when it is answered, then the switch is given no deadline', async function () {
      const context = harness([alice, bob], { authorizer: new Grants(null) });
      await answeredCall(context);
      expect(context.sw.deadlines.size).to.equal(0);
    });

    it('given the switch cannot be given the deadline, when a paid call is answered, then the call ends at once (fail closed)', async function () {
      const context = harness([alice, bob], { authorizer: new Grants(10) });
      context.sw.failDeadlines = true;
      await answeredCall(context);
      expect(endedEvent(context.store)).to.include({ cause: 'failed' });
      expect(context.sw.of('hangup').map((command) => command.channelId)).to.include('caller-1');
    });

    it('given billing extends the grant from 20 s to 40 s, then the deadline on both channels moves to the new end', async function () {
      const context = harness([alice, bob], { authorizer: new Grants(20, [{ allowed: true, reservedSeconds: 40 }]) });
      const answeredAt = context.time.now().getTime();
      await answeredCall(context);
      await advance(context.time, 10_000);
      const moved = new Date(answeredAt + 40_000 - SWITCH_CUTOFF_MARGIN_MS);
      expect([...context.sw.deadlines.values()]).to.deep.equal([moved, moved]);
    });

    it('given billing makes the call free on extension, then the deadline is removed from both channels', async function () {
      const context = harness([alice, bob], { authorizer: new Grants(20, [{ allowed: true, reservedSeconds: null }]) });
      await answeredCall(context);
      await advance(context.time, 10_000);
      expect([...context.sw.deadlines.values()]).to.deep.equal([null, null]);
    });

    it('given the controller was frozen past the deadline, when its cut-off fires late, then the call ends when the switch hung it up, not when the controller woke', async function () {
      const log = switchLog({});
      const context = harness([alice, bob], { authorizer: new Grants(10), switchLog: log });
      const answeredAt = context.time.now().getTime();
      await answeredCall(context);
      const leg = context.sw.originated()[0]?.channelId ?? '';
      log.timesOf = () => Promise.resolve(new Map([[leg, { hungUpAt: new Date(answeredAt + 9_760) }]]));
      await advance(context.time, 30_000);
      expect(endedEvent(context.store)).to.include({ cause: 'terminated', reason: 'credit_exhausted', talkMs: 9_760 });
    });

    it('given the controller was frozen past the deadline and the switch log has nothing, when its cut-off fires late, then the call ends at the deadline', async function () {
      const context = harness([alice, bob], { authorizer: new Grants(10) });
      await answeredCall(context);
      await advance(context.time, 30_000);
      expect(endedEvent(context.store)).to.include({ cause: 'terminated', reason: 'credit_exhausted', talkMs: 10_000 - SWITCH_CUTOFF_MARGIN_MS });
    });

    it('given a call taken over after a restart whose channels are gone, when the switch recorded their hang-up, then it ends then, not at the last heartbeat, and is not marked estimated', async function () {
      const log = switchLog({ leg: { answeredAt: at(1_000), hungUpAt: at(10_750) }, caller: { hungUpAt: at(10_752) } });
      const context = harness([alice, bob], {
        switchLog: log,
        instanceId: 'controller-1',
        instances: { eventsSeenAt: () => Promise.resolve(at(3_000)), isRunning: () => Promise.resolve(false) },
      });
      await context.store.save(answered(10));
      await context.manager.recover();
      await context.manager.resync(context.time.now());
      expect(log.asked).to.deep.equal([['caller', 'leg']]);
      const ended = endedEvent(context.store);
      expect(ended).to.include({ cause: 'completed', reason: 'ended_while_disconnected', talkMs: 9_750, endedAt: at(10_750).toISOString() });
      expect(ended?.endTimeEstimated).to.equal(undefined);
    });

    it('given a paid call taken over after a restart whose channels are up, then the switch is given its deadline again (its previous controller may have stopped before)', async function () {
      const context = harness([alice, bob], { instanceId: 'controller-1', instances: { eventsSeenAt: () => Promise.resolve(at(3_000)), isRunning: () => Promise.resolve(false) } });
      context.sw.channels = [
        { id: 'caller', createdAt: t0, inApp: 'caller' },
        { id: 'leg', createdAt: t0, inApp: 'answered-leg' },
      ];
      await context.store.save(answered(10));
      await context.manager.recover();
      await context.manager.resync(context.time.now());
      expect(endedEvent(context.store)).to.equal(undefined);
      expect([...context.sw.deadlines]).to.have.deep.members([
        ['caller', at(11_000 - SWITCH_CUTOFF_MARGIN_MS)],
        ['leg', at(11_000 - SWITCH_CUTOFF_MARGIN_MS)],
      ]);
    });
  });
});
