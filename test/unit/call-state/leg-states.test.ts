import { expect } from 'chai';
import {
  DIALING,
  isTrying,
  legAnswered,
  legCancelled,
  legFailed,
  legFinished,
  legProgressed,
  legRang,
  legReleased,
  legSipCodeOf,
  type LegState,
  outcomeOf,
} from '../../../app/call-state/leg-states';

describe('a leg as a state: {leg state, event} -> next leg state', function () {
  it('given Dialing, when 183 then 180 come, then Progressing then Ringing, still trying and with no outcome', function () {
    const progressing = legProgressed(DIALING);
    expect(progressing).to.deep.equal({ name: 'progressing' });
    const ringing = legRang(progressing);
    expect(ringing).to.deep.equal({ name: 'ringing' });
    expect([DIALING, progressing, ringing].map(isTrying)).to.deep.equal([true, true, true]);
    expect(outcomeOf(ringing)).to.equal(undefined);
  });

  it('given Ringing, when 183 comes after the 180, then it stays Ringing', function () {
    const ringing: LegState = { name: 'ringing' };
    expect(legProgressed(ringing)).to.equal(ringing);
  });

  it('given a trying leg, when it answers, then Answered with the outcome answered', function () {
    const answered = legAnswered({ name: 'ringing' });
    expect(answered).to.deep.equal({ name: 'answered' });
    expect(outcomeOf(answered)).to.equal('answered');
    expect(isTrying(answered)).to.equal(false);
  });

  it('given a trying carrier leg, when it fails with 503, then Failed(congestion, 503)', function () {
    const failed = legFailed({ name: 'progressing' }, 'congestion', 503);
    expect(failed).to.deep.equal({ name: 'failed', outcome: 'congestion', sipCode: 503 });
    expect(outcomeOf(failed)).to.equal('congestion');
    expect(legSipCodeOf(failed)).to.equal(503);
  });

  it('given a finished leg, when a late failure, answer, cancel or progress comes, then it keeps how it finished', function () {
    const busy: LegState = { name: 'failed', outcome: 'busy', sipCode: 486 };
    const answered: LegState = { name: 'answered' };
    const cancelled: LegState = { name: 'cancelled' };
    for (const state of [busy, answered, cancelled]) {
      expect(legFailed(state, 'unreachable')).to.equal(state);
      expect(legCancelled(state)).to.equal(state);
      expect(legAnswered(state)).to.equal(state);
      expect(legRang(state)).to.equal(state);
      expect(legProgressed(state)).to.equal(state);
    }
  });

  it('given a trying leg, when it finishes as cancelled (with 487) or as no answer, then Cancelled or Failed', function () {
    expect(legFinished(DIALING, 'cancelled', 487)).to.deep.equal({ name: 'cancelled', sipCode: 487 });
    expect(legFinished(DIALING, 'no_answer')).to.deep.equal({ name: 'failed', outcome: 'no_answer' });
    expect(outcomeOf({ name: 'cancelled' })).to.equal('cancelled');
  });

  it('given a leg, when its channel is released, then the state says so and keeps the release through later transitions', function () {
    const released = legReleased(DIALING);
    expect(released).to.deep.equal({ name: 'dialing', released: true });
    expect(legReleased(released)).to.equal(released);
    expect(legFailed(released, 'unreachable')).to.deep.equal({ name: 'failed', outcome: 'unreachable', released: true });
    expect(legAnswered(legRang(released))).to.deep.equal({ name: 'answered', released: true });
    expect(legReleased({ name: 'cancelled', sipCode: 487 })).to.deep.equal({ name: 'cancelled', sipCode: 487, released: true });
  });
});
