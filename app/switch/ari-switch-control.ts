import { type HangupReason, type OriginateRequest, type SwitchControl } from '../call-state';
import { AriRequestError, type AriRest } from './ari-rest';

// The dialplan context that answers an unanswered channel with an exact SIP code (PJSIPHangup).
const REJECT_CONTEXT = 'reject';

// Commands to Asterisk through ARI. The switch only bridges and terminates: every decision is
// taken by the call state manager.
export class AriSwitchControl implements SwitchControl {
  constructor(
    private readonly rest: AriRest,
    private readonly app: string,
  ) {}

  async originate(request: OriginateRequest): Promise<void> {
    await this.rest.post('/channels', {
      endpoint: request.endpoint,
      app: this.app,
      appArgs: `leg,${request.callId}`,
      channelId: request.channelId,
      callerId: request.callerId,
      originator: request.originatorChannelId,
      timeout: request.timeoutSeconds,
    });
  }

  async ring(channelId: string): Promise<void> {
    await this.rest.post(`/channels/${encodeURIComponent(channelId)}/ring`);
  }

  async answer(channelId: string): Promise<void> {
    await this.rest.post(`/channels/${encodeURIComponent(channelId)}/answer`);
  }

  async hangup(channelId: string, reason: HangupReason): Promise<void> {
    await ignoreGone(this.rest.delete(`/channels/${encodeURIComponent(channelId)}`, { reason }));
  }

  async reject(channelId: string, sipCode: number): Promise<void> {
    try {
      await this.rest.post(`/channels/${encodeURIComponent(channelId)}/continue`, {
        context: REJECT_CONTEXT,
        extension: String(sipCode),
        priority: 1,
      });
    } catch (error) {
      // The channel left Stasis in the meantime: nothing more to reject.
      if (isGone(error)) return;
      throw error;
    }
  }

  async createBridge(bridgeId: string): Promise<void> {
    await this.rest.post('/bridges', { type: 'mixing', bridgeId, name: bridgeId });
  }

  async addToBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    await this.rest.post(`/bridges/${encodeURIComponent(bridgeId)}/addChannel`, { channel: channelIds.join(',') });
  }

  async destroyBridge(bridgeId: string): Promise<void> {
    await ignoreGone(this.rest.delete(`/bridges/${encodeURIComponent(bridgeId)}`));
  }
}

function isGone(error: unknown): boolean {
  return error instanceof AriRequestError && (error.status === 404 || error.status === 409);
}

async function ignoreGone(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}
