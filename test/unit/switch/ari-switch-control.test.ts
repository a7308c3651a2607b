import { expect } from 'chai';
import { OriginateRefusedError, type OriginateRequest } from '../../../app/call-state';
import { AriRequestError, AriTimeoutError, type AriRest } from '../../../app/switch/ari-rest';
import { AriSwitchControl, toSwitchChannel } from '../../../app/switch/ari-switch-control';

const request: OriginateRequest = {
  channelId: 'leg-1',
  callId: '5e8f0c1a-2b3c-4d5e-8f70-a1b2c3d4e5f6' as OriginateRequest['callId'],
  endpoint: 'PJSIP/bob/sip:bob@10.0.0.1:5062',
  callerId: '"alice" <+14155550101>',
  originatorChannelId: 'caller-1',
  timeoutSeconds: 30,
};

// ARI REST that fails every POST with this error.
const failingRest = (error: Error): AriRest => ({ post: () => Promise.reject(error) }) as unknown as AriRest;

async function originateError(error: Error): Promise<unknown> {
  return new AriSwitchControl(failingRest(error), 'calls').originate(request).then(
    () => expect.fail('originate should have failed'),
    (caught: unknown) => caught,
  );
}

describe('ARI switch control: starting legs', function () {
  it('given Asterisk refuses the originate with a 4xx, then OriginateRefusedError (no channel was created) with the ARI error as cause', async function () {
    for (const status of [400, 404, 409]) {
      const cause = new AriRequestError('POST', '/channels', status, 'refused');
      const error = await originateError(cause);
      expect(error, `status ${status}`).to.be.instanceOf(OriginateRefusedError);
      expect((error as OriginateRefusedError).cause).to.equal(cause);
      expect((error as OriginateRefusedError).details).to.deep.equal({ channelId: 'leg-1' });
    }
  });

  it('given the originate times out or Asterisk fails with a 5xx, then that error comes through as is: the channel may exist', async function () {
    for (const cause of [new AriTimeoutError('POST', '/channels', 5000), new AriRequestError('POST', '/channels', 500, 'internal')]) {
      const error = await originateError(cause);
      expect(error).to.equal(cause);
      expect(error).to.not.be.instanceOf(OriginateRefusedError);
    }
  });

  it('given a channel just created that has not entered the application yet, then dialling it is retried until it has; any other refusal is final', async function () {
    const notInStasis = new AriRequestError('POST', '/channels/leg-1/dial', 409, '{"message":"Channel not in Stasis application"}');
    const posts: string[] = [];
    const rest = (failures: Error[]): AriRest =>
      ({
        post: (path: string) => {
          posts.push(path);
          const failure = failures.shift();
          return failure ? Promise.reject(failure) : Promise.resolve();
        },
      }) as unknown as AriRest;
    await new AriSwitchControl(rest([notInStasis, notInStasis]), 'calls').dialChannel('leg-1', { callerChannelId: 'caller-1', timeoutSeconds: 35 });
    expect(posts).to.deep.equal(['/channels/leg-1/dial', '/channels/leg-1/dial', '/channels/leg-1/dial']);

    posts.length = 0;
    const notDown = new AriRequestError('POST', '/channels/leg-1/dial', 409, '{"message":"Channel is not in the \'Down\' state"}');
    const error = await new AriSwitchControl(rest([notDown]), 'calls').dialChannel('leg-1', { callerChannelId: 'caller-1', timeoutSeconds: 35 }).then(
      () => expect.fail('dial should have failed'),
      (caught: unknown) => caught,
    );
    expect(error).to.equal(notDown);
    expect(posts).to.have.length(1);
  });

  it("given the switch's channels, then the call state sees only neutral roles: callers, legs ringing or answered in the application, others' channels, none outside it", function () {
    const ari = (state: string, appData?: string) =>
      ({ id: 'c', state, creationtime: '2026-11-25T04:57:47.123+0000', ...(appData !== undefined ? { dialplan: { app_name: 'Stasis', app_data: appData } } : {}) }) as Parameters<typeof toSwitchChannel>[0];
    expect(toSwitchChannel(ari('Up', 'calls,from-user'), 'calls')).to.deep.equal({ id: 'c', createdAt: new Date('2026-11-25T04:57:47.123Z'), inApp: 'caller' });
    expect(toSwitchChannel(ari('Ring', 'calls,from-carrier'), 'calls').inApp).to.equal('caller');
    expect(toSwitchChannel(ari('Up', 'calls,leg,call-1'), 'calls').inApp).to.equal('answered-leg');
    expect(toSwitchChannel(ari('Ringing', 'calls,dialed,call-1'), 'calls').inApp).to.equal('ringing-leg');
    expect(toSwitchChannel(ari('Up', 'calls,dialed,call-1'), 'calls').inApp).to.equal('answered-leg');
    expect(toSwitchChannel(ari('Up', 'calls,snoop,w-1'), 'calls').inApp).to.equal('other');
    expect(toSwitchChannel(ari('Up', 'other-app,leg,call-1'), 'calls').inApp).to.equal(undefined);
    expect(toSwitchChannel(ari('Ringing'), 'calls')).to.not.have.property('inApp');
  });
});
