import { expect } from 'chai';
import { Answered, Ended, Requested, Ringing, Routing, restoreState } from '../../../app/call-state';
import {
  callerDeviceAnswered,
  callerDevicesGone,
  callerNotAnswering,
  callerRinging,
  calleeAnswered,
  carrierLegFailed,
  carrierSkipped,
  earlyMediaStarted,
  huntNextCarrier,
} from '../../../app/call-state/phase-transitions';

const hunt = (...carrierIds: string[]) => ({ remaining: carrierIds.map((carrierId) => ({ carrierId })) });

describe('call phases as {state, event} -> {next, effects}', function () {
  describe('carrier hunting (Routing/Ringing carry the carriers still to try)', function () {
    it('given Routing(a, b), when the next carrier is hunted, then Routing(b) and TryCarrier(a)', function () {
      const { next, effects } = huntNextCarrier(new Routing(hunt('a', 'b')));
      expect(next).to.be.instanceOf(Routing);
      expect(next.hunt.remaining.map((choice) => choice.carrierId)).to.deep.equal(['b']);
      expect(effects).to.deep.equal([{ kind: 'try-carrier', choice: { carrierId: 'a' } }]);
    });

    it('given Routing with no carrier left, when the next carrier is hunted, then the state stays and the call ends unless a leg still tries', function () {
      const state = new Routing(hunt());
      expect(huntNextCarrier(state)).to.deep.equal({ next: state, effects: [{ kind: 'end-if-no-leg-left' }] });
    });

    it('given an emergency carrier with its dial target, when it is hunted, then the effect carries the target (no lookup)', function () {
      const target = { carrierId: 'e1', endpoint: 'PJSIP/112@e1', maxConcurrentCalls: 1 };
      const { effects } = huntNextCarrier(new Routing({ remaining: [{ carrierId: 'e1', target }] }));
      expect(effects).to.deep.equal([{ kind: 'try-carrier', choice: { carrierId: 'e1', target } }]);
    });

    it('given Ringing(b), when the ringing carrier fails with 503, then Ringing() and TryCarrier(b)', function () {
      const { next, effects } = carrierLegFailed(new Ringing(hunt('b')), { outcome: 'congestion', sipCode: 503 });
      expect(next).to.be.instanceOf(Ringing);
      expect(next.hunt.remaining).to.deep.equal([]);
      expect(effects).to.deep.equal([{ kind: 'try-carrier', choice: { carrierId: 'b' } }]);
    });

    it('given Ringing(b), when the carrier gives no progress (no answer, no code) or is unreachable, then TryCarrier(b)', function () {
      expect(carrierLegFailed(new Ringing(hunt('b')), { outcome: 'unreachable' }).effects[0]?.kind).to.equal('try-carrier');
      expect(carrierLegFailed(new Ringing(hunt('b')), { outcome: 'no_answer', sipCode: 408 }).effects[0]?.kind).to.equal('try-carrier');
    });

    it('given Ringing(b), when the callee is busy (486) or declines (603), then no other carrier is tried and the call ends unless a leg still tries', function () {
      const state = new Ringing(hunt('b'));
      expect(carrierLegFailed(state, { outcome: 'busy', sipCode: 486 })).to.deep.equal({ next: state, effects: [{ kind: 'end-if-no-leg-left' }] });
      expect(carrierLegFailed(state, { outcome: 'declined', sipCode: 603 })).to.deep.equal({ next: state, effects: [{ kind: 'end-if-no-leg-left' }] });
    });

    it('given Ringing with no carrier left, when the carrier fails with 503, then the call ends unless a leg still tries', function () {
      expect(carrierLegFailed(new Ringing(hunt()), { outcome: 'congestion', sipCode: 503 }).effects).to.deep.equal([{ kind: 'end-if-no-leg-left' }]);
    });

    it('given Routing(a, b), when carrier a is skipped (at its limit), then Routing(b)... and TryCarrier(a) then TryCarrier(b) in turn', function () {
      const first = carrierSkipped(new Routing(hunt('a', 'b')));
      const second = carrierSkipped(first.next);
      expect(second.effects).to.deep.equal([{ kind: 'try-carrier', choice: { carrierId: 'b' } }]);
      expect(carrierSkipped(second.next).effects).to.deep.equal([{ kind: 'end-if-no-leg-left' }]);
    });

    it('given Routing(a), when a carrier rings, then Ringing(a): the carriers left stay with the phase; an answer drops them', function () {
      const ringing = new Routing(hunt('a')).ring();
      expect(ringing.hunt.remaining.map((choice) => choice.carrierId)).to.deep.equal(['a']);
      expect(ringing.answer('leg-1').hunt.remaining).to.deep.equal([]);
    });

    it('given an ended call, when a carrier is hunted, then nothing more is tried', function () {
      const ended = new Ended('cancelled');
      expect(huntNextCarrier(ended)).to.deep.equal({ next: ended, effects: [{ kind: 'end-if-no-leg-left' }] });
    });
  });

  describe("click-to-call: ringing the caller's devices (Requested carries them)", function () {
    it('given Requested(), when the caller rings on two devices, then Requested(d1, d2) with no effect', function () {
      const { next, effects } = callerRinging(new Requested(), ['d1', 'd2']);
      expect(next).to.be.instanceOf(Requested);
      expect(next.callerDevices).to.deep.equal(['d1', 'd2']);
      expect(effects).to.deep.equal([]);
    });

    it('given Requested(d1, d2), when d2 answers, then Requested(), d1 stops ringing (answered elsewhere) and the call is placed from d2', function () {
      const { next, effects } = callerDeviceAnswered(new Requested(['d1', 'd2']), 'd2');
      expect(next.callerDevices).to.deep.equal([]);
      expect(effects).to.deep.equal([
        { kind: 'stop-ringing', channelIds: ['d1'], reason: 'answered_elsewhere' },
        { kind: 'place-call', callerChannelId: 'd2' },
      ]);
    });

    it('given Requested(d1), when a channel that is none of its devices answers, then nothing changes', function () {
      const state = new Requested(['d1']);
      expect(callerDeviceAnswered(state, 'x')).to.deep.equal({ next: state, effects: [] });
    });

    it('given Requested(d1, d2), when d1 is gone, then Requested(d2) with no effect; when d2 is gone too, the call ends as not answered', function () {
      const one = callerDevicesGone(new Requested(['d1', 'd2']), ['d1']);
      expect(one.next.callerDevices).to.deep.equal(['d2']);
      expect(one.effects).to.deep.equal([]);
      const none = callerDevicesGone(one.next, ['d2']);
      expect(none.next.callerDevices).to.deep.equal([]);
      expect(none.effects).to.deep.equal([{ kind: 'end-caller-unanswered', cause: 'no_answer' }]);
    });

    it('given Requested(d1), when no device is gone, then the state stays the same object', function () {
      const state = new Requested(['d1']);
      expect(callerDevicesGone(state, [])).to.deep.equal({ next: state, effects: [] });
    });

    it('given Requested(d1, d2), when the ring timeout fires, then both stop ringing and the call ends as not answered', function () {
      const { next, effects } = callerNotAnswering(new Requested(['d1', 'd2']), 'no_answer');
      expect(next.callerDevices).to.deep.equal([]);
      expect(effects).to.deep.equal([
        { kind: 'stop-ringing', channelIds: ['d1', 'd2'], reason: 'normal' },
        { kind: 'end-caller-unanswered', cause: 'no_answer' },
      ]);
    });

    it('given Requested() whose devices all failed to ring, when it gives up, then it ends as unreachable with nothing to stop', function () {
      expect(callerNotAnswering(new Requested(), 'unreachable').effects).to.deep.equal([{ kind: 'end-caller-unanswered', cause: 'unreachable' }]);
    });

    it('given an answered call, when the caller-ringing transitions are asked, then nothing changes', function () {
      const answered = new Answered('leg-1');
      expect(callerDeviceAnswered(answered, 'd1')).to.deep.equal({ next: answered, effects: [] });
      expect(callerDevicesGone(answered, ['d1'])).to.deep.equal({ next: answered, effects: [] });
    });
  });

  describe('early media (Routing/Ringing carry the channels bridged before the answer)', function () {
    it('given Routing(), when a carrier leg sends 183, then Routing(caller, leg) and BridgeEarly creating the bridge and telling the caller', function () {
      const { next, effects } = earlyMediaStarted(new Routing(hunt('b')), 'caller', 'leg-1');
      expect(next).to.be.instanceOf(Routing);
      expect(next.earlyMedia).to.deep.equal(['caller', 'leg-1']);
      expect(next.hunt.remaining).to.deep.equal([{ carrierId: 'b' }]);
      expect(effects).to.deep.equal([{ kind: 'bridge-early', createBridge: true, channelIds: ['caller', 'leg-1'], progressCaller: true }]);
    });

    it('given Ringing(caller, leg-1), when the next carrier leg sends 183, then only that leg joins the bridge that exists', function () {
      const { next, effects } = earlyMediaStarted(new Ringing(hunt(), ['caller', 'leg-1']), 'caller', 'leg-2');
      expect(next.earlyMedia).to.deep.equal(['caller', 'leg-1', 'leg-2']);
      expect(effects).to.deep.equal([{ kind: 'bridge-early', createBridge: false, channelIds: ['leg-2'], progressCaller: false }]);
    });

    it('given a leg already bridged, or a call no longer ringing, when 183 comes again, then nothing changes', function () {
      const ringing = new Ringing(hunt(), ['caller', 'leg-1']);
      expect(earlyMediaStarted(ringing, 'caller', 'leg-1')).to.deep.equal({ next: ringing, effects: [] });
      const answered = new Answered('leg-1');
      expect(earlyMediaStarted(answered, 'caller', 'leg-1')).to.deep.equal({ next: answered, effects: [] });
    });

    it('given Routing with early media, when it rings or hunts the next carrier, then the bridged channels stay with the phase', function () {
      const routing = new Routing(hunt('b'), ['caller', 'leg-1']);
      expect(routing.ring().earlyMedia).to.deep.equal(['caller', 'leg-1']);
      expect(huntNextCarrier(routing).next.earlyMedia).to.deep.equal(['caller', 'leg-1']);
      expect(routing.answer('leg-1').earlyMedia).to.deep.equal([]);
    });
  });

  describe('the answer (Routing/Ringing -> Answered, legs moved with it)', function () {
    const legs = [
      { channelId: 'leg-1', state: { name: 'ringing' } as const },
      { channelId: 'leg-2', state: { name: 'dialing' } as const },
      { channelId: 'leg-3', state: { name: 'failed', outcome: 'busy', released: true } as const },
    ];

    it('given Ringing with three legs, when leg-1 answers, then Answered(leg-1), leg-2 cancelled and released, the busy leg kept, CancelLegs(leg-2) and Connect with a new bridge', function () {
      const { next, effects, legs: moved } = calleeAnswered(new Ringing(hunt('b')), 'caller', legs, 'leg-1');
      expect(next).to.be.instanceOf(Answered);
      expect((next as Answered).answeredLeg).to.equal('leg-1');
      expect([...moved]).to.deep.equal([
        ['leg-1', { name: 'answered' }],
        ['leg-2', { name: 'cancelled', released: true }],
      ]);
      expect(effects).to.deep.equal([
        { kind: 'cancel-legs', channelIds: ['leg-2'] },
        { kind: 'connect', createBridge: true, joining: ['caller', 'leg-1'] },
      ]);
    });

    it('given Ringing with the caller and leg-1 bridged for early media, when leg-1 answers, then Connect creates no bridge and adds nobody again', function () {
      const { effects } = calleeAnswered(new Ringing(hunt(), ['caller', 'leg-1']), 'caller', legs, 'leg-1');
      expect(effects[1]).to.deep.equal({ kind: 'connect', createBridge: false, joining: [] });
    });

    it('given Routing, when a device answers without ringing first, then the call is answered all the same', function () {
      expect(calleeAnswered(new Routing(), 'caller', legs, 'leg-2').next.name).to.equal('answered');
    });

    it('given an answered call, when another leg answers late, then the state stays, that leg alone is cancelled and released, and it is hung up', function () {
      const answered = new Answered('leg-1');
      const late = [{ channelId: 'leg-2', state: { name: 'ringing' } as const }];
      expect(calleeAnswered(answered, 'caller', late, 'leg-2')).to.deep.equal({
        next: answered,
        effects: [{ kind: 'cancel-legs', channelIds: ['leg-2'] }],
        legs: new Map([['leg-2', { name: 'cancelled', released: true }]]),
      });
    });

    it('given an answer from a channel that is no leg of the call, then nothing changes', function () {
      const ringing = new Ringing();
      expect(calleeAnswered(ringing, 'caller', legs, 'stranger')).to.deep.equal({ next: ringing, effects: [], legs: new Map() });
    });
  });

  describe('the stored phase', function () {
    it('given the stored carriers left and caller devices, when restored, then the phases carry them again', function () {
      expect(restoreState('ringing', { carriersLeft: ['b', 'c'] }).hunt.remaining).to.deep.equal([{ carrierId: 'b' }, { carrierId: 'c' }]);
      expect(restoreState('routing', { carriersLeft: ['b'] }).hunt.remaining).to.deep.equal([{ carrierId: 'b' }]);
      expect(restoreState('requested', { callerDevices: ['d1'] }).callerDevices).to.deep.equal(['d1']);
      expect(restoreState('requested', {}).callerDevices).to.deep.equal([]);
      expect(restoreState('ringing', { earlyMedia: ['caller', 'leg-1'] }).earlyMedia).to.deep.equal(['caller', 'leg-1']);
      expect(restoreState('routing', { earlyMedia: ['caller'] }).earlyMedia).to.deep.equal(['caller']);
    });
  });
});
