import { expect } from 'chai';
import { toSwitchEvent } from '../../../app/switch';

const caller = { id: 'caller-1', name: 'PJSIP/alice-0000002a', state: 'Ring', dialplan: { context: 'dial-plan', exten: 'call', priority: 1, app_name: 'Dial' } };
const peer = { id: 'peer-1', name: 'PJSIP/bob-0000002b', state: 'Down' };
const at = '2026-12-07T10:00:01.250+0000';

describe('ARI event mapper: the lean call path (Dial() in the dialplan)', function () {
  it('turns the first Dial event of a target into target.dialled with its endpoint, technology included', function () {
    const event = toSwitchEvent({ type: 'Dial', timestamp: at, caller: caller, peer: peer, dialstring: 'bob/sip:bob@10.0.0.1:5062', dialstatus: '' });
    expect(event).to.deep.equal({ type: 'target.dialled', channelId: 'caller-1', targetChannelId: 'peer-1', endpoint: 'PJSIP/bob/sip:bob@10.0.0.1:5062', at: new Date('2026-12-07T10:00:01.250Z') });
  });

  it('turns its later Dial events into target.progress, target.ringing and target.answered on the caller, and ignores how a target failed', function () {
    const of = (dialstatus: string): unknown => toSwitchEvent({ type: 'Dial', timestamp: at, caller: caller, peer: peer, dialstatus })?.type;
    expect(['PROGRESS', 'RINGING', 'ANSWER', 'BUSY', 'CANCEL'].map(of)).to.deep.equal(['target.progress', 'target.ringing', 'target.answered', undefined, undefined]);
  });

  it('keeps Dial events of a caller in the application (the Stasis path) as they were', function () {
    const inStasis = { ...caller, dialplan: { context: 'from-users', exten: 'bob', priority: 1, app_name: 'Stasis', app_data: 'calls,from-user' } };
    const event = toSwitchEvent({ type: 'Dial', timestamp: at, caller: inStasis, peer: peer, dialstatus: 'RINGING' });
    expect(event).to.include({ type: 'channel.ringing', channelId: 'peer-1' });
  });

  it('turns the caller coming back with dial-ended into dial.ended with status, cause and the SIP code', function () {
    const back = (args: string[]): unknown => toSwitchEvent({ type: 'StasisStart', timestamp: at, args, channel: caller });
    expect(back(['dial-ended', 'call-1', 'CONGESTION', '34', '503'])).to.deep.equal({ type: 'dial.ended', channelId: 'caller-1', callId: 'call-1', status: 'congestion', cause: 34, sipCode: 503, at: new Date('2026-12-07T10:00:01.250Z') });
    expect(back(['dial-ended', 'call-1', 'NOANSWER', '19', ''])).to.deep.equal({ type: 'dial.ended', channelId: 'caller-1', callId: 'call-1', status: 'no_answer', cause: 19, at: new Date('2026-12-07T10:00:01.250Z') });
  });

  it('marks a channel leaving the application as leftApp, not as a hang-up cause', function () {
    expect(toSwitchEvent({ type: 'StasisEnd', timestamp: at, channel: caller })).to.include({ type: 'channel.hungup', leftApp: true });
  });
});
