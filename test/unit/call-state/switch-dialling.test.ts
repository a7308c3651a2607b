import { expect } from 'chai';
import { type CallAuthorization, type CallAuthorizer, type Party } from '../../../app/call-state';
import { advance, endedEvent, harness } from './harness';

const alice: Party = { userId: 'u-a', username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: 'u-b', username: 'bob', phoneNumber: '+14155550102' };
const ENDPOINT = 'PJSIP/bob/sip:bob@10.0.0.1:5062';

// 60 s granted at a time, extended once to 120 s.
class Billing implements CallAuthorizer {
  authorize(): Promise<CallAuthorization> {
    return Promise.resolve({ allowed: true, reservedSeconds: 60 });
  }
  extend(): Promise<CallAuthorization> {
    return Promise.resolve({ allowed: true, reservedSeconds: 120 });
  }
}

function lean(authorizer?: CallAuthorizer): ReturnType<typeof harness> {
  return harness([alice, bob], { callPath: 'dialplan', ...(authorizer ? { authorizer } : {}) });
}

async function handedOff(h: ReturnType<typeof harness>): Promise<void> {
  await h.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: h.time.now() });
}

describe('call state manager: the lean call path (CALL_PATH=dialplan)', function () {
  it('given a call to bob, then the caller is handed to the switch with bob\'s device, and nothing is originated or bridged', async function () {
    const h = lean();
    await handedOff(h);
    const handOffs = h.sw.commands.filter((command) => command.kind === 'handOff');
    expect(handOffs).to.have.length(1);
    expect(handOffs[0]).to.deep.include({ channelId: 'caller-1' });
    expect(handOffs[0]?.kind === 'handOff' && handOffs[0].request).to.deep.include({ endpoints: [ENDPOINT], ringTimeoutSeconds: 30, followed: false });
    expect(h.sw.commands.map((command) => command.kind)).to.deep.equal(['handOff']);
  });

  it('given the switch reports the device answered, then the call is answered on it, and the caller hanging up ends it as completed without any switch command', async function () {
    const h = lean();
    await handedOff(h);
    await h.manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: 'left Stasis', leftApp: true, at: h.time.now() });
    await h.manager.handle({ type: 'target.dialled', channelId: 'caller-1', targetChannelId: 'peer-1', endpoint: ENDPOINT, at: h.time.now() });
    await h.manager.handle({ type: 'target.ringing', channelId: 'caller-1', targetChannelId: 'peer-1', at: h.time.now() });
    await advance(h.time, 1000);
    await h.manager.handle({ type: 'target.answered', channelId: 'caller-1', targetChannelId: 'peer-1', at: h.time.now() });
    await advance(h.time, 5000);
    await h.manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: '', at: h.time.now() });
    const ended = endedEvent(h.store);
    expect(ended).to.include({ cause: 'completed', talkMs: 5000 });
    expect(ended?.history.map((change) => change.state)).to.deep.equal(['requested', 'routing', 'ringing', 'answered', 'ended']);
    expect(h.sw.commands.map((command) => command.kind)).to.deep.equal(['handOff']);
  });

  it('given Dial() ends busy, then the caller, back in the application, gets 486', async function () {
    const h = lean();
    await handedOff(h);
    await h.manager.handle({ type: 'dial.ended', channelId: 'caller-1', callId: '', status: 'busy', cause: 17, sipCode: 486, at: h.time.now() });
    expect(h.sw.commands).to.deep.include({ kind: 'reject', channelId: 'caller-1', sipCode: 486 });
    expect(endedEvent(h.store)).to.include({ cause: 'busy' });
  });

  it('given a paid call handed off, then the switch is told the grant (less the margin), an extension moves its deadline, and a hang-up at the grant\'s end is recorded as the credit cut-off', async function () {
    const h = lean(new Billing());
    await handedOff(h);
    const handOff = h.sw.commands.find((command) => command.kind === 'handOff');
    expect(handOff?.kind === 'handOff' && handOff.request.talkLimitSeconds).to.equal(59.5);
    await h.manager.handle({ type: 'target.dialled', channelId: 'caller-1', targetChannelId: 'peer-1', endpoint: ENDPOINT, at: h.time.now() });
    await h.manager.handle({ type: 'target.answered', channelId: 'caller-1', targetChannelId: 'peer-1', at: h.time.now() });
    const answeredAt = h.time.now().getTime();
    await advance(h.time, 50_000);
    const deadline = h.sw.commands.find((command) => command.kind === 'setHangupDeadline');
    expect(deadline?.kind === 'setHangupDeadline' && deadline.at !== null && deadline.at.getTime() - answeredAt).to.equal(119_500);
    await advance(h.time, 69_500);
    // The controller does not cut the call itself: the switch does.
    expect(h.sw.commands.filter((command) => command.kind === 'hangup')).to.deep.equal([]);
    await h.manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: '', at: h.time.now() });
    expect(endedEvent(h.store)).to.include({ cause: 'terminated', reason: 'credit_exhausted' });
  });
});
