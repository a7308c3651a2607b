import { expect } from 'chai';
import { OriginateRefusedError, type OriginateRequest } from '../../../app/call-state';
import { AriRequestError, AriTimeoutError, type AriRest } from '../../../app/switch/ari-rest';
import { AriSwitchControl } from '../../../app/switch/ari-switch-control';

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

describe('ARI switch control: originate failures', function () {
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
});
