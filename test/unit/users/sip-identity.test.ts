import { expect } from 'chai';
import { sipIdentityFor } from '../../../app/users';

const user = { username: 'alice', phoneNumber: '+14155550101', password: 'alice-secret-1' };

describe('users: the PJSIP rows of a user', function () {
  it('given a switch that phones reach directly, then the contact is rewritten to the source address and no Path is kept', function () {
    const sip = sipIdentityFor(user, { realm: 'calling.local', maxDevices: 5 });
    expect(sip.endpoint.rewriteContact).to.equal('yes');
    expect(sip.aor.supportPath).to.equal('no');
  });

  it('given the switch behind the SIP edge, then the Path through the edge is kept and the contact is left as the device wrote it (the source is the edge)', function () {
    const sip = sipIdentityFor(user, { realm: 'calling.local', maxDevices: 5, behindEdge: true });
    expect(sip.endpoint.rewriteContact).to.equal('no');
    expect(sip.aor.supportPath).to.equal('yes');
  });
});
