import { expect } from 'chai';
import { Answered, Ended, IllegalTransitionError, Requested, restoreState, Ringing, Routing } from '../../../app/call-state';

describe('call states', function () {
  it('given a requested call, when it is routed, rings and is answered, then each transition returns the next state', function () {
    const routing = new Requested().route();
    expect(routing).to.be.instanceOf(Routing);
    const ringing = routing.ring();
    expect(ringing).to.be.instanceOf(Ringing);
    const answered = ringing.answer('leg-1');
    expect(answered).to.be.instanceOf(Answered);
    expect((answered as Answered).answeredLeg).to.equal('leg-1');
    const ended = answered.end('cancelled');
    expect(ended).to.be.instanceOf(Ended);
    expect((ended as Ended).cause).to.equal('completed');
    expect(ended.isFinal).to.equal(true);
  });

  it('given a ringing call, when another device rings, then the state stays the same object', function () {
    const ringing = new Ringing();
    expect(ringing.ring()).to.equal(ringing);
  });

  it('given an unanswered call, when it ends as completed, then it is recorded as failed (a call is only completed once answered)', function () {
    expect((new Ringing().end('completed') as Ended).cause).to.equal('failed');
    expect((new Ringing().end('busy') as Ended).cause).to.equal('busy');
  });

  it('given an ended call, when any transition is attempted, then an IllegalTransitionError names the state and transition', function () {
    const ended = new Ended('completed');
    expect(() => ended.answer('x')).to.throw(IllegalTransitionError, "illegal transition 'answer' from state 'ended'");
    expect(() => ended.end('busy')).to.throw(IllegalTransitionError);
    expect(() => new Requested().answer('x')).to.throw(IllegalTransitionError);
    expect(() => new Answered('x').ring()).to.throw(IllegalTransitionError);
  });

  it('given stored state names, when restored, then the same state objects come back', function () {
    expect(restoreState('ringing', {})).to.be.instanceOf(Ringing);
    expect((restoreState('answered', { answeredLeg: 'leg-9' }) as Answered).answeredLeg).to.equal('leg-9');
    expect((restoreState('ended', { endCause: 'busy' }) as Ended).cause).to.equal('busy');
    expect(() => restoreState('answered', {})).to.throw();
  });
});
