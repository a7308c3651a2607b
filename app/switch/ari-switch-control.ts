import { type HangupReason, OriginateRefusedError, type OriginateRequest, type SwitchBridge, type SwitchChannel, type SwitchControl } from '../call-state';
import { type RtpQuality } from '../shared/events';
import { type AriChannel } from './ari-event-mapper';
import { AriRequestError, type AriRest } from './ari-rest';

interface AriBridge {
  id: string;
  name: string;
  channels: string[];
  creationtime?: string;
}

// ARI's GET /channels/{id}/rtp_statistics (jitter in seconds, rtt in seconds).
interface AriRtpStatistics {
  txcount: number;
  rxcount: number;
  txploss: number;
  rxploss: number;
  txjitter: number;
  rxjitter: number;
  rtt?: number;
  rxmes?: number;
  txmes?: number;
}

// Statistics are read while a call ends: never let them hold the hang-up up for long.
const STATISTICS_TIMEOUT_MS = 1000;

// The dialplan context that answers an unanswered channel with an exact SIP code (PJSIPHangup).
const REJECT_CONTEXT = 'reject';
// Stasis() argument of the legs created in the application before they are dialled (ari-event-mapper.ts).
const DIALED_LEG = 'dialed';
// How long a created channel may take to enter the application before it can be dialled.
const NOT_IN_STASIS_YET_WAIT_MS = 2000;

// A sound file (asterisk-core-sounds, a dependency of the asterisk package), not a tone: ARI's
// tone: playback never ends by itself, and a channel in a bridge does not hear the other party
// while something is played to it.
const WARNING_TONE = 'sound:beep';

// Commands to Asterisk through ARI. The switch only bridges and terminates: every decision is
// taken by the call state manager.
export class AriSwitchControl implements SwitchControl {
  constructor(
    private readonly rest: AriRest,
    private readonly app: string,
  ) {}

  async originate(request: OriginateRequest): Promise<void> {
    try {
      await this.rest.post('/channels', {
        endpoint: request.endpoint,
        app: this.app,
        appArgs: `leg,${request.callId}`,
        channelId: request.channelId,
        callerId: request.callerId,
        originator: request.originatorChannelId,
        timeout: request.timeoutSeconds,
      });
    } catch (error) {
      // A 4xx is Asterisk refusing the request; a timeout or a 5xx says nothing about the channel.
      if (error instanceof AriRequestError && error.status >= 400 && error.status < 500) throw new OriginateRefusedError(request.channelId, { cause: error });
      throw error;
    }
  }

  // POST /channels/create puts the channel in the Stasis application at once (StasisStart with
  // 'dialed,<callId>'), so that it can join a bridge before it answers; the caller id is a variable,
  // as create has no callerId parameter.
  async createChannel(request: OriginateRequest): Promise<void> {
    try {
      await this.rest.post(
        '/channels/create',
        { endpoint: request.endpoint, app: this.app, appArgs: `${DIALED_LEG},${request.callId}`, channelId: request.channelId, originator: request.originatorChannelId },
        // CLIR: the number goes as anonymous in From, and in P-Asserted-Identity (with Privacy: id)
        // to the carrier, whose endpoint trusts us with it (trust_id_outbound).
        { variables: { 'CALLERID(all)': request.callerId, ...(request.callerPresentation === 'restricted' ? { 'CALLERID(pres)': 'prohib' } : {}) } },
      );
      // The dial copies the caller channel's caller party onto the leg: it must say "withheld" too.
      if (request.callerPresentation === 'restricted' && request.originatorChannelId) {
        await this.rest.post(`/channels/${encodeURIComponent(request.originatorChannelId)}/variable`, { variable: 'CALLERID(pres)', value: 'prohib' });
      }
    } catch (error) {
      if (error instanceof AriRequestError && error.status >= 400 && error.status < 500) throw new OriginateRefusedError(request.channelId, { cause: error });
      throw error;
    }
  }

  // Asterisk reports the attempt as Dial events (PROGRESS, RINGING, ANSWER, ...). POST
  // /channels/create answers as soon as the channel's thread is started, before that thread has put
  // the channel in the application: a dial sent at once may be refused with 409 "Channel not in
  // Stasis application" (nothing was dialled). That one refusal is retried for a short while.
  async dialChannel(channelId: string, options: { callerChannelId: string; timeoutSeconds: number }): Promise<void> {
    const deadline = Date.now() + NOT_IN_STASIS_YET_WAIT_MS;
    for (let delayMs = 10; ; delayMs = Math.min(delayMs * 2, 200)) {
      try {
        await this.rest.post(`/channels/${encodeURIComponent(channelId)}/dial`, { caller: options.callerChannelId, timeout: options.timeoutSeconds });
        return;
      } catch (error) {
        if (!isNotInStasisYet(error) || Date.now() + delayMs > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  async ring(channelId: string): Promise<void> {
    await this.rest.post(`/channels/${encodeURIComponent(channelId)}/ring`);
  }

  async progress(channelId: string): Promise<void> {
    await this.rest.post(`/channels/${encodeURIComponent(channelId)}/progress`);
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

  async playTone(channelId: string): Promise<void> {
    await ignoreGone(this.rest.post(`/channels/${encodeURIComponent(channelId)}/play`, { media: WARNING_TONE }));
  }

  async createBridge(bridgeId: string): Promise<void> {
    try {
      await this.rest.post('/bridges', { type: 'mixing', bridgeId, name: bridgeId });
    } catch (error) {
      // 409: a bridge with this id exists (created for early media, or before a restart).
      if (error instanceof AriRequestError && error.status === 409) return;
      throw error;
    }
  }

  async addToBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    await this.rest.post(`/bridges/${encodeURIComponent(bridgeId)}/addChannel`, { channel: channelIds.join(',') });
  }

  async destroyBridge(bridgeId: string): Promise<void> {
    await ignoreGone(this.rest.delete(`/bridges/${encodeURIComponent(bridgeId)}`));
  }

  async rtpQuality(channelId: string): Promise<RtpQuality | undefined> {
    let stats: AriRtpStatistics;
    try {
      stats = await this.rest.request<AriRtpStatistics>('GET', `/channels/${encodeURIComponent(channelId)}/rtp_statistics`, undefined, undefined, STATISTICS_TIMEOUT_MS);
    } catch (error) {
      if (isGone(error)) return undefined;
      throw error;
    }
    return toRtpQuality(stats);
  }

  // Asterisk writes a channel's RTP statistics onto its bridged peer when it hangs up
  // (RTPAUDIOQOSBRIDGED): the one way to get a side's figures once that side is gone.
  async rtpQualityOfGonePeer(survivorChannelId: string): Promise<RtpQuality | undefined> {
    let value: string;
    try {
      ({ value } = await this.rest.request<{ value: string }>('GET', `/channels/${encodeURIComponent(survivorChannelId)}/variable`, { variable: 'RTPAUDIOQOSBRIDGED' }, undefined, STATISTICS_TIMEOUT_MS));
    } catch (error) {
      if (isGone(error)) return undefined;
      throw error;
    }
    return parseQosVariable(value);
  }

  async listBridges(): Promise<SwitchBridge[]> {
    const bridges = await this.rest.get<AriBridge[]>('/bridges');
    // Ours are created with their name set to their id (the call id); anything else is not ours.
    return bridges.filter((bridge) => bridge.name === bridge.id).map((bridge) => ({ id: bridge.id, channelIds: bridge.channels, createdAt: ariTime(bridge.creationtime) }));
  }

  async listChannels(): Promise<SwitchChannel[]> {
    const channels = await this.rest.get<AriChannel[]>('/channels');
    return channels.map((channel) => toSwitchChannel(channel, this.app));
  }
}

export function toRtpQuality(stats: AriRtpStatistics): RtpQuality {
  const rttMs = stats.rtt !== undefined && stats.rtt > 0 ? stats.rtt * 1000 : undefined;
  // Asterisk reports MES 0 until RTCP gave it something to compute from: 0 means unknown here.
  const mes = stats.rxmes !== undefined && stats.rxmes > 0 ? stats.rxmes : undefined;
  return {
    rxPackets: stats.rxcount,
    txPackets: stats.txcount,
    rxPacketsLost: stats.rxploss,
    txPacketsLost: stats.txploss,
    rxJitterMs: round(stats.rxjitter * 1000),
    txJitterMs: round(stats.txjitter * 1000),
    ...(rttMs !== undefined ? { rttMs: round(rttMs) } : {}),
    ...(mes !== undefined ? { mes } : {}),
  };
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

// "ssrc=1;themssrc=2;lp=0;rxjitter=0.000750;rxcount=101;txjitter=0.001;txcount=101;rlp=0;rtt=0.000;rxmes=92;txmes=90"
export function parseQosVariable(value: string): RtpQuality | undefined {
  const fields = new Map(
    value
      .split(';')
      .map((pair) => pair.split('='))
      .filter((pair): pair is [string, string] => pair.length === 2)
      .map(([key, raw]) => [key.trim(), Number(raw)] as const),
  );
  const rxcount = fields.get('rxcount');
  const txcount = fields.get('txcount');
  if (rxcount === undefined || txcount === undefined || Number.isNaN(rxcount) || Number.isNaN(txcount)) return undefined;
  return toRtpQuality({
    rxcount,
    txcount,
    rxploss: fields.get('lp') ?? 0,
    txploss: fields.get('rlp') ?? 0,
    rxjitter: fields.get('rxjitter') ?? 0,
    txjitter: fields.get('txjitter') ?? 0,
    rtt: fields.get('rtt'),
    rxmes: fields.get('rxmes'),
  });
}

export function toSwitchChannel(channel: AriChannel, app: string): SwitchChannel {
  const inStasis = channel.dialplan?.app_name === 'Stasis' ? (channel.dialplan.app_data ?? '').split(',') : undefined;
  return {
    id: channel.id,
    state: channel.state,
    createdAt: ariTime(channel.creationtime),
    ...(inStasis && inStasis[0] === app ? { stasisArgs: inStasis.slice(1) } : {}),
  };
}

// ARI times look like 2026-11-25T04:57:47.123+0000; unknown counts as the epoch (oldest).
function ariTime(value: string | undefined): Date {
  const parsed = value ? Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) : NaN;
  return Number.isNaN(parsed) ? new Date(0) : new Date(parsed);
}

function isNotInStasisYet(error: unknown): boolean {
  return error instanceof AriRequestError && error.status === 409 && String(error.details.body).includes('not in Stasis');
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
