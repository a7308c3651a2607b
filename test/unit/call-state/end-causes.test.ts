import { expect } from 'chai';
import { endCauseOfFailedLegs, isRetryableOnAnotherCarrier, legOutcomeOf, sipCodeOf } from '../../../app/call-state';
import { attemptOutcomeOf } from '../../../app/call-state/end-causes';

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

  describe('carrier failover', function () {
    // Q.850 causes Asterisk gives with these responses (21: call rejected, 1: unallocated, ...).
    const carrierSays = (sipCode: number, cause = 21): boolean => isRetryableOnAnotherCarrier(legOutcomeOf(cause, sipCode), sipCode);

    it('given a failure of the carrier (5xx, 408) or its refusal of our credentials or account (401, 402, 403, 407) or codecs (488), then the next carrier is tried', function () {
      for (const code of [500, 502, 503, 504, 408, 401, 402, 403, 407, 488]) expect(carrierSays(code), String(code)).to.equal(true);
    });

    it('given an answer about the number or the person (404, 410, 484, 480, 486, 487, 600, 603, 604), then it is final: no other carrier rings them again', function () {
      for (const code of [404, 410, 484, 480, 486, 487, 600, 603, 604]) expect(carrierSays(code, 1), String(code)).to.equal(false);
    });

    it('given a carrier that failed without any SIP response (unreachable, congested), then the next is tried; a cancel or a busy cause is final', function () {
      expect(isRetryableOnAnotherCarrier('unreachable', undefined)).to.equal(true);
      expect(isRetryableOnAnotherCarrier('congestion', undefined)).to.equal(true);
      expect(isRetryableOnAnotherCarrier('cancelled', undefined)).to.equal(false);
      expect(isRetryableOnAnotherCarrier(legOutcomeOf(17), undefined)).to.equal(false);
    });

    it('given a carrier refusing our credentials with 401/407 (Asterisk: call rejected), then the attempt is unreachable, not the callee declining', function () {
      expect(legOutcomeOf(21, 401)).to.equal('unreachable');
      expect(legOutcomeOf(21, 407)).to.equal('unreachable');
      expect(legOutcomeOf(21, 403)).to.equal('unreachable');
      expect(legOutcomeOf(21, 603)).to.equal('declined');
      expect(endCauseOfFailedLegs([legOutcomeOf(21, 403), legOutcomeOf(21, 407)])).to.equal('unreachable');
    });

    it('given a carrier leg that was never invited (at its call limit), then the record says skipped_at_limit; an invited one keeps its outcome', function () {
      expect(attemptOutcomeOf({ channelId: 'x', contactUri: 'PJSIP/+44@c', carrierId: 'c', state: { name: 'failed', outcome: 'congestion', released: true } })).to.equal('skipped_at_limit');
      expect(attemptOutcomeOf({ channelId: 'y', contactUri: 'PJSIP/+44@c', carrierId: 'c', state: { name: 'failed', outcome: 'congestion', released: true }, invitedAt: 1 })).to.equal('congestion');
      expect(attemptOutcomeOf({ channelId: 'z', contactUri: 'sip:bob@10.0.0.1', state: { name: 'dialing' }, invitedAt: 1 })).to.equal('cancelled');
    });
  });
});
