import { expect } from 'chai';
import { endCauseOfFailedLegs, legOutcomeOf, sipCodeOf } from '../../../app/call-state';

describe('end causes', function () {
  it('maps Q.850 causes of a device to what the attempt means', function () {
    expect(legOutcomeOf(17)).to.equal('busy');
    expect(legOutcomeOf(21)).to.equal('declined');
    expect(legOutcomeOf(19)).to.equal('no_answer');
    expect(legOutcomeOf(18)).to.equal('no_answer');
    expect(legOutcomeOf(26)).to.equal('cancelled');
    expect(legOutcomeOf(20)).to.equal('unreachable');
    expect(legOutcomeOf(0)).to.equal('unreachable');
  });

  it('given every device failed, then busy beats decline, decline beats no answer, no answer beats unreachable', function () {
    expect(endCauseOfFailedLegs(['unreachable', 'declined', 'busy'])).to.equal('busy');
    expect(endCauseOfFailedLegs(['no_answer', 'declined'])).to.equal('declined');
    expect(endCauseOfFailedLegs(['unreachable', 'no_answer'])).to.equal('no_answer');
    expect(endCauseOfFailedLegs(['unreachable'])).to.equal('unreachable');
    expect(endCauseOfFailedLegs([])).to.equal('unreachable');
  });

  it('gives the caller the SIP response of each failure, and none for an answered or cancelled call', function () {
    expect(sipCodeOf('no_route')).to.equal(404);
    expect(sipCodeOf('unreachable')).to.equal(480);
    expect(sipCodeOf('no_answer')).to.equal(480);
    expect(sipCodeOf('busy')).to.equal(486);
    expect(sipCodeOf('declined')).to.equal(603);
    expect(sipCodeOf('failed')).to.equal(503);
    expect(sipCodeOf('completed')).to.equal(undefined);
    expect(sipCodeOf('cancelled')).to.equal(undefined);
  });
});
