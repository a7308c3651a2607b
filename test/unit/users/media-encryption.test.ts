import { expect } from 'chai';
import { mediaEncryptionOf, sipIdentityFor } from '../../../app/users';

const user = { username: 'alice', phoneNumber: '+14155550101', password: 'alice-secret-1' };

describe('users: media encryption policy', function () {
  it('given no policy, then the endpoint offers SDES-SRTP optimistically (optional: SRTP or plain both accepted)', function () {
    const sip = sipIdentityFor(user, { realm: 'calling.local', maxDevices: 5, behindEdge: true });
    expect(sip.endpoint).to.include({ mediaEncryption: 'sdes', mediaEncryptionOptimistic: 'yes' });
  });

  it('given required, then the endpoint insists on SRTP (RTP/SAVP offers, a plain offer refused)', function () {
    const sip = sipIdentityFor({ ...user, mediaEncryption: 'required' }, { realm: 'calling.local', maxDevices: 5 });
    expect(sip.endpoint).to.include({ mediaEncryption: 'sdes', mediaEncryptionOptimistic: 'no' });
  });

  it('given off, then the endpoint never offers or accepts a key', function () {
    expect(mediaEncryptionOf('off')).to.deep.equal({ mediaEncryption: 'no', mediaEncryptionOptimistic: 'no' });
  });
});
