import { expect } from 'chai';
import { type Party } from '../../../app/call-state';
import { harness } from './harness';

const alice: Party = { userId: 'u-alice', username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: 'u-bob', username: 'bob', phoneNumber: '+14155550102' };

describe('call state: a user with a phone and a browser', function () {
  it('given bob registered from a SIP phone and from a browser (his web identity), when alice calls bob, then both ring, each through its own endpoint', async function () {
    const phone = { contactUri: 'sip:bob@10.0.0.1:5062' };
    const browser = { contactUri: 'sip:k3j2@df7jal23ls0d.invalid;transport=ws', endpoint: 'bob~web' };
    const { manager, sw, time } = harness([alice, bob], { connections: { connectionsOf: (username) => Promise.resolve(username === 'bob' ? [phone, browser] : []) } });
    await manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: time.now() });
    expect(sw.originated().map((request) => request.endpoint)).to.have.members([`PJSIP/bob/${phone.contactUri}`, `PJSIP/bob~web/${browser.contactUri}`]);
  });
});
