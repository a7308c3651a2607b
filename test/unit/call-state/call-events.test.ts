import { expect } from 'chai';
import { type Party } from '../../../app/call-state';
import { CallEventSchema, deterministicEventId, type CallEnded } from '../../../app/shared/events';
import { type Harness, harness } from './harness';

const alice: Party = { userId: '00000000-0000-4000-8000-00000000000a', username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: '00000000-0000-4000-8000-00000000000b', username: 'bob', phoneNumber: '+14155550102' };

// Only bob has a registered device.
const setup = (): Harness =>
  harness([alice, bob], { connections: { connectionsOf: (username) => Promise.resolve(username === 'bob' ? [{ contactUri: 'sip:bob@10.0.0.1:5062' }] : []) } });

const t0 = Date.parse('2026-11-25T10:00:00Z');
const at = (ms: number): Date => new Date(t0 + ms);

describe('call state events', function () {
  it('given a call that rings, is answered and hung up, then one valid event per transition is queued, in order, with ids derived from the call', async function () {
    const { manager, sw, store } = setup();
    await manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: at(0) });
    const leg = sw.originated()[0];
    if (!leg) expect.fail('no leg');
    await manager.handle({ type: 'channel.ringing', channelId: leg.channelId, at: at(400) });
    await manager.handle({ type: 'leg.answered', channelId: leg.channelId, callId: leg.callId, at: at(2400) });
    sw.quality.set('caller-1', { rxPackets: 500, txPackets: 500, rxPacketsLost: 2, txPacketsLost: 0, rxJitterMs: 3.5, txJitterMs: 1, mes: 92 });
    await manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: '', at: at(62_400) });

    const types = store.queued.map((event) => event.type);
    expect(types).to.deep.equal(['call.v1.requested', 'call.v1.routed', 'call.v1.ringing', 'call.v1.answered', 'call.v1.ended']);
    for (const event of store.queued) {
      expect(CallEventSchema.safeParse(event).success, event.type).to.equal(true);
      expect(event.id).to.equal(deterministicEventId(leg.callId, event.type));
    }
    const ended = store.queued[4] as CallEnded;
    expect(ended).to.include({ cause: 'completed', talkMs: 60_000, requestedAt: at(0).toISOString(), answeredAt: at(2400).toISOString() });
    expect(ended.quality.caller).to.include({ rxPacketsLost: 2, mes: 92 });
    expect(ended.history.map((change) => change.state)).to.deep.equal(['requested', 'routing', 'ringing', 'answered', 'ended']);
  });

  it('given the caller hung up and its channel is gone, then its RTP figures come from the callee channel, where Asterisk left them', async function () {
    const { manager, sw, store } = setup();
    await manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: at(0) });
    const leg = sw.originated()[0];
    if (!leg) expect.fail('no leg');
    await manager.handle({ type: 'leg.answered', channelId: leg.channelId, callId: leg.callId, at: at(1000) });
    sw.quality.set(leg.channelId, { rxPackets: 90, txPackets: 90, rxPacketsLost: 0, txPacketsLost: 0, rxJitterMs: 1, txJitterMs: 1 });
    sw.peerQuality.set(leg.channelId, { rxPackets: 95, txPackets: 94, rxPacketsLost: 1, txPacketsLost: 0, rxJitterMs: 2, txJitterMs: 2 });
    await manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: '', at: at(5000) });
    const ended = store.queued.at(-1) as CallEnded;
    expect(ended.quality.caller).to.include({ rxPackets: 95, rxPacketsLost: 1 });
    expect(ended.quality.callee).to.include({ rxPackets: 90 });
  });

  it('given a refused call, then the ended event carries the cause and the SIP code the caller got', async function () {
    const { manager, store } = setup();
    await manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'alice', at: at(0) });
    const ended = store.queued.find((event) => event.type === 'call.v1.ended') as CallEnded;
    expect(ended).to.include({ cause: 'unreachable', sipCode: 480, talkMs: 0 });
  });

  it('given a live call, when an operator terminates it, then every channel is hung up and it ends as terminated', async function () {
    const { manager, sw, store } = setup();
    await manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: at(0) });
    const leg = sw.originated()[0];
    if (!leg) expect.fail('no leg');
    await manager.handle({ type: 'leg.answered', channelId: leg.channelId, callId: leg.callId, at: at(1000) });
    expect(await manager.terminate(leg.callId)).to.equal(true);
    expect(sw.of('hangup').map((command) => command.channelId)).to.include.members(['caller-1', leg.channelId]);
    expect((store.queued.at(-1) as CallEnded).cause).to.equal('terminated');
    expect(await manager.terminate(leg.callId)).to.equal(false);
  });
});
