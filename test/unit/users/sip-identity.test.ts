import { expect } from 'chai';
import { browserEndpointOf, browserSipIdentityFor, sipIdentitiesFor, sipIdentityFor, usernameOfEndpoint } from '../../../app/users';

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

describe('users: a user\'s browser identity', function () {
  it('given a user, then its browsers get an endpoint of their own with the WebRTC profile, Opus and G.711, and the same digest credentials', function () {
    const phone = sipIdentityFor(user, { realm: 'calling.local', maxDevices: 5, behindEdge: true });
    const browser = browserSipIdentityFor(user, { realm: 'calling.local', maxDevices: 5, behindEdge: true });
    expect(browser.endpoint).to.include({ id: 'alice~web', aors: 'alice~web', auth: 'alice~web', webrtc: 'yes', allow: 'opus,ulaw,alaw', context: phone.endpoint.context });
    expect(browser.auth).to.include({ id: 'alice~web', username: 'alice', md5Cred: phone.auth.md5Cred, realm: 'calling.local' });
    expect(browser.aor).to.include({ id: 'alice~web', supportPath: 'yes' });
    expect(phone.endpoint.webrtc).to.equal(undefined);
  });

  it('given the edge as outbound proxy, then the phones\' and the browsers\' identities send their requests through it (it alone holds TLS connections and websockets), as a loose route', function () {
    const [phone, browser] = sipIdentitiesFor(user, { realm: 'r', maxDevices: 2, behindEdge: true, edgeProxy: 'sip:198.51.100.2:5060' });
    expect(browser?.endpoint.outboundProxy).to.equal('sip:198.51.100.2:5060^3Blr');
    expect(phone?.endpoint.outboundProxy).to.equal('sip:198.51.100.2:5060^3Blr');
  });

  it('given a user whose phones must use SDES-SRTP, then the browser identity still uses DTLS-SRTP (WebRTC has no other)', function () {
    const [phone, browser] = sipIdentitiesFor({ ...user, mediaEncryption: 'required' }, { realm: 'r', maxDevices: 2, behindEdge: true });
    expect(phone?.endpoint).to.include({ mediaEncryption: 'sdes', mediaEncryptionOptimistic: 'no' });
    expect(browser?.endpoint).to.include({ mediaEncryption: 'dtls', mediaEncryptionOptimistic: 'no', webrtc: 'yes' });
  });

  it('given every identity of a user, then the phones\' comes first and the browsers\' second', function () {
    expect(sipIdentitiesFor(user, { realm: 'r', maxDevices: 2 }).map((sip) => sip.endpoint.id)).to.deep.equal(['alice', 'alice~web']);
  });

  it('given a switch endpoint, then its user is the endpoint itself or the user of the browser identity', function () {
    expect(usernameOfEndpoint(browserEndpointOf('alice'))).to.equal('alice');
    expect(usernameOfEndpoint('alice')).to.equal('alice');
    expect(usernameOfEndpoint('alice.web')).to.equal('alice.web');
  });
});
