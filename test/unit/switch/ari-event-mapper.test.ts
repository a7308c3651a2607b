import { expect } from 'chai';
import { endpointOfChannelName, toSwitchEvent } from '../../../app/switch';

const channel = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: '1764064400.12',
  name: 'PJSIP/alice-0000002a',
  state: 'Ring',
  dialplan: { context: 'from-users', exten: '+14155550102', priority: 1 },
  ...overrides,
});

describe('ARI event mapper', function () {
  it('reads the authenticated endpoint from the channel name', function () {
    expect(endpointOfChannelName('PJSIP/alice-0000002a')).to.equal('alice');
    expect(endpointOfChannelName('PJSIP/first.last-ffff0001')).to.equal('first.last');
    expect(endpointOfChannelName('Local/x@y-00000001;1')).to.equal(undefined);
  });

  it('turns a user channel entering Stasis into call.arrived with caller, dialled string and time', function () {
    const event = toSwitchEvent({ type: 'StasisStart', timestamp: '2026-11-25T10:00:01.250+0000', args: ['from-user'], channel: channel() as never });
    expect(event).to.deep.equal({
      type: 'call.arrived',
      channelId: '1764064400.12',
      origin: { kind: 'user', username: 'alice' },
      dialed: '+14155550102',
      at: new Date('2026-11-25T10:00:01.250Z'),
    });
  });

  it('given a call from a browser identity (alice~web), then the caller is its user, alice', function () {
    const event = toSwitchEvent({ type: 'StasisStart', args: ['from-user'], channel: channel({ name: 'PJSIP/alice~web-0000002a' }) as never });
    expect(event).to.include({ type: 'call.arrived' });
    expect((event as { origin: unknown }).origin).to.deep.equal({ kind: 'user', username: 'alice' });
  });

  it('turns a carrier channel entering Stasis into call.arrived from the phone network, with the caller number', function () {
    const event = toSwitchEvent({
      type: 'StasisStart',
      args: ['from-carrier'],
      channel: channel({ name: 'PJSIP/carrier_1a2b3c4d5e6f7a8b-0000000f', caller: { name: '', number: '+442071838750' }, dialplan: { context: 'from-carriers', exten: '14155550102', priority: 1 } }) as never,
    });
    expect(event).to.deep.include({ type: 'call.arrived', dialed: '14155550102', origin: { kind: 'carrier', endpointId: 'carrier_1a2b3c4d5e6f7a8b', callerNumber: '+442071838750' } });
  });

  it('turns an originated leg entering Stasis into leg.answered for its call', function () {
    const event = toSwitchEvent({ type: 'StasisStart', args: ['leg', 'call-7'], channel: channel({ id: 'leg-1', name: 'PJSIP/bob-00000031' }) as never });
    expect(event).to.include({ type: 'leg.answered', channelId: 'leg-1', callId: 'call-7' });
  });

  it('ignores channels entering Stasis from unknown places', function () {
    expect(toSwitchEvent({ type: 'StasisStart', args: [], channel: channel() as never })).to.equal(undefined);
    expect(toSwitchEvent({ type: 'StasisStart', args: ['from-user'], channel: channel({ name: 'Local/x-00000001;1' }) as never })).to.equal(undefined);
  });

  it('maps ringing, hang-up requests, leaving Stasis and destruction; ignores soft hang-ups and other states', function () {
    expect(toSwitchEvent({ type: 'ChannelStateChange', channel: channel({ state: 'Ringing' }) as never })?.type).to.equal('channel.ringing');
    expect(toSwitchEvent({ type: 'ChannelStateChange', channel: channel({ state: 'Up' }) as never })).to.equal(undefined);
    expect(toSwitchEvent({ type: 'ChannelHangupRequest', cause: 16, channel: channel() as never })).to.include({ type: 'channel.hungup', cause: 16 });
    expect(toSwitchEvent({ type: 'ChannelHangupRequest', soft: true, channel: channel() as never })).to.equal(undefined);
    expect(toSwitchEvent({ type: 'StasisEnd', channel: channel() as never })).to.include({ type: 'channel.hungup', cause: 16 });
    expect(toSwitchEvent({ type: 'ChannelDestroyed', cause: 17, cause_txt: 'User busy', channel: channel() as never })).to.include({ type: 'channel.hungup', cause: 17, causeText: 'User busy' });
    expect(toSwitchEvent({ type: 'ChannelDestroyed', cause: 34, cause_txt: 'Circuit/channel congestion', tech_cause: 503, channel: channel() as never })).to.include({ sipCode: 503 });
    expect(toSwitchEvent({ type: 'ChannelDestroyed', cause: 16, tech_cause: 0, channel: channel() as never })).to.not.have.property('sipCode');
    expect(toSwitchEvent({ type: 'ChannelVarset', channel: channel() as never })).to.equal(undefined);
  });

  it('given Dial events of a leg created to be dialled, then 183 is progress, 180 ringing and the answer answers it; a failed dial maps to nothing (its hang-up says how)', function () {
    const peer = channel({ id: 'leg-9', name: 'PJSIP/carrier_1a2b3c4d5e6f7a8b-00000040', state: 'Down', dialplan: { context: 'default', exten: 's', priority: 1, app_name: 'Stasis', app_data: 'calls,dialed,call-7' } });
    const dial = (dialstatus: string): ReturnType<typeof toSwitchEvent> => toSwitchEvent({ type: 'Dial', timestamp: '2026-11-25T10:00:01.250+0000', dialstatus, peer: peer as never });
    expect(dial('PROGRESS')).to.deep.equal({ type: 'channel.progress', channelId: 'leg-9', at: new Date('2026-11-25T10:00:01.250Z') });
    expect(dial('RINGING')).to.include({ type: 'channel.ringing', channelId: 'leg-9' });
    expect(dial('ANSWER')).to.include({ type: 'leg.answered', channelId: 'leg-9', callId: 'call-7' });
    for (const status of ['', 'BUSY', 'NOANSWER', 'CONGESTION', 'CHANUNAVAIL', 'CANCEL']) expect(dial(status), status).to.equal(undefined);
  });

  it('given a leg created to be dialled entering Stasis at its creation, or the Dial answer of an originated leg, then no answer is made of it', function () {
    expect(toSwitchEvent({ type: 'StasisStart', args: ['dialed', 'call-7'], channel: channel({ id: 'leg-9', name: 'PJSIP/carrier_1a2b3c4d5e6f7a8b-00000040' }) as never })).to.equal(undefined);
    const originated = channel({ id: 'leg-1', name: 'PJSIP/bob-00000031', dialplan: { context: 'default', exten: 's', priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' } });
    expect(toSwitchEvent({ type: 'Dial', dialstatus: 'ANSWER', peer: originated as never })).to.equal(undefined);
    expect(toSwitchEvent({ type: 'Dial', dialstatus: 'PROGRESS' })).to.equal(undefined);
  });
});
