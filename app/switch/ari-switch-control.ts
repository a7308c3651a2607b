import { type HandOffRequest, type HangupReason, OriginateRefusedError, type OriginateRequest, type SwitchBridge, type SwitchChannel, type SwitchControl } from '../call-state';
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
// The lean call path (CALL_PATH=dialplan, asterisk/conf/extensions.conf): the context where Dial()
// rings what the controller decided, and the channel variable that carries the decision.
export const DIAL_CONTEXT = 'dial-plan';
const DIAL_EXTENSION = 'call';
const PLAN_VARIABLE = 'CALL_PLAN';
const HANDLE_CONTEXT = 'dial-plan-handle';
const HANDLE_EXTENSION = 'handle';
// How long a created channel may take to enter the application before it can be dialled.
const NOT_IN_STASIS_YET_WAIT_MS = 2000;

// A sound file (asterisk-core-sounds, a dependency of the asterisk package), not a tone: ARI's
// tone: playback never ends by itself, and a channel in a bridge does not hear the other party
// while something is played to it.
const WARNING_TONE = 'sound:beep';
// How long the whispering snoop channel stays: the beep lasts about a quarter of a second.
const WHISPERED_TONE_MS = 1000;

// Commands to Asterisk through ARI. The switch only bridges and terminates: every decision is
// taken by the call state manager.
export class AriSwitchControl implements SwitchControl {
  constructor(
    private readonly rest: AriRest,
    private readonly app: string,
  ) {}

  // One registered contact of a user's PJSIP endpoint (or of the user's browser endpoint).
  deviceAddress(username: string, contactUri: string, identity?: string): string {
    return `PJSIP/${identity ?? username}/${contactUri}`;
  }

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
    await retryWhileNotInStasis(() => this.rest.post(`/channels/${encodeURIComponent(channelId)}/dial`, { caller: options.callerChannelId, timeout: options.timeoutSeconds }));
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

  // Three requests, two round trips: the plan as one variable (CALL_PLAN=<callId>|<dial string>|
  // <ring seconds>|<talk seconds, 0: none>, read by the dialplan) and the application's subscription
  // to the channel (its events after it leaves the application: Dial progress, answer, hang-up)
  // side by side, then the continue into the dialplan.
  async handOff(callerChannelId: string, request: HandOffRequest): Promise<void> {
    const id = encodeURIComponent(callerChannelId);
    const talk = request.talkLimitSeconds === undefined ? '0' : Math.max(0.001, request.talkLimitSeconds).toFixed(3);
    const plan = [request.callId, request.endpoints.join('&'), String(Math.max(1, Math.ceil(request.ringTimeoutSeconds))), talk].join('|');
    await Promise.all([
      this.rest.post(`/channels/${id}/variable`, { variable: PLAN_VARIABLE, value: plan }),
      request.followed ? Promise.resolve() : this.rest.post(`/applications/${encodeURIComponent(this.app)}/subscription`, { eventSource: `channel:${callerChannelId}` }),
    ]);
    await this.rest.post(`/channels/${id}/continue`, { context: DIAL_CONTEXT, extension: DIAL_EXTENSION, priority: 1 });
  }

  // A Local channel created in the application with the target as its originator shares the
  // target's linked id, so MASTER_CHANNEL() on it is the target (the first channel of its call);
  // the handle is hung up again at once and never dialled. Five requests: for the rare update of
  // a channel out of the application (a grant extended), not for every call.
  private async setThroughHandle(channelId: string, variable: string, value: string): Promise<void> {
    const handle = `${channelId}-h${Date.now().toString(36)}`;
    await this.rest.post('/channels/create', { endpoint: `Local/${HANDLE_EXTENSION}@${HANDLE_CONTEXT}`, app: this.app, appArgs: 'handle', channelId: handle, originator: channelId });
    try {
      await retryWhileNotInStasis(() => this.rest.post(`/channels/${encodeURIComponent(handle)}/variable`, { variable: `MASTER_CHANNEL(${variable})`, value }));
    } finally {
      await ignoreGone(this.rest.delete(`/channels/${encodeURIComponent(handle)}`));
    }
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
    try {
      await this.rest.post(`/channels/${encodeURIComponent(channelId)}/play`, { media: WARNING_TONE });
    } catch (error) {
      if (isNotInStasis(error)) return this.whisperTone(channelId);
      if (!isGone(error)) throw error;
    }
  }

  // A channel out in the dialplan (the lean call path) cannot be played to: a snoop channel whispers
  // the tone into what it hears instead (snoop works on any channel), and is ended once it played.
  private async whisperTone(channelId: string): Promise<void> {
    const snoopId = `${channelId}-t${Date.now().toString(36)}`;
    await ignoreGone(this.rest.post(`/channels/${encodeURIComponent(channelId)}/snoop`, { app: this.app, appArgs: 'tone', spy: 'none', whisper: 'out', snoopId }));
    try {
      await retryWhileNotInStasis(() => this.rest.post(`/channels/${encodeURIComponent(snoopId)}/play`, { media: WARNING_TONE }));
      await new Promise((resolve) => setTimeout(resolve, WHISPERED_TONE_MS));
    } finally {
      await ignoreGone(this.rest.delete(`/channels/${encodeURIComponent(snoopId)}`));
    }
  }

  // TIMEOUT(absolute) through ARI's setChannelVar (it accepts a dialplan function as the name):
  // Asterisk hangs the channel up itself at the deadline, in or out of Stasis and in a bridge. ARI sets
  // variables only on channels in the application: a channel out in the dialplan (the lean call
  // path) gets it through a handle (setThroughHandle).
  async setHangupDeadline(channelId: string, at: Date | null): Promise<void> {
    const value = absoluteTimeoutOf(at, new Date());
    try {
      await ignoreGone(this.rest.post(`/channels/${encodeURIComponent(channelId)}/variable`, { variable: 'TIMEOUT(absolute)', value }));
    } catch (error) {
      if (!isNotInStasis(error)) throw error;
      await this.setThroughHandle(channelId, 'TIMEOUT(absolute)', value);
    }
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

// TIMEOUT(absolute) counts seconds from when it is set (fractions allowed), and 0 removes it: a
// deadline already past becomes the smallest positive value (hang up at once), not 0.
export function absoluteTimeoutOf(at: Date | null, now: Date): string {
  if (at === null) return '0';
  return (Math.max(1, at.getTime() - now.getTime()) / 1000).toFixed(3);
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
  const inApp = inStasis && inStasis[0] === app ? roleInApp(inStasis[1], channel.state) : undefined;
  return { id: channel.id, createdAt: ariTime(channel.creationtime), ...(inApp ? { inApp } : {}) };
}

// What a channel in the application is to the calls, from its Stasis() arguments: an originated leg
// enters the application on its answer; one created to be dialled is there from the start, and up
// once answered.
function roleInApp(kind: string | undefined, state: string): SwitchChannel['inApp'] {
  if (kind === 'from-user' || kind === 'from-carrier') return 'caller';
  if (kind === 'leg') return 'answered-leg';
  if (kind === 'dialed') return state === 'Up' ? 'answered-leg' : 'ringing-leg';
  return 'other';
}

// ARI times look like 2026-11-25T04:57:47.123+0000; unknown counts as the epoch (oldest).
function ariTime(value: string | undefined): Date {
  const parsed = value ? Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) : NaN;
  return Number.isNaN(parsed) ? new Date(0) : new Date(parsed);
}

function isNotInStasis(error: unknown): boolean {
  return error instanceof AriRequestError && error.status === 409 && String(error.details.body).includes('not in Stasis');
}

// A channel just created may not be in the application yet: that one refusal is retried a while.
async function retryWhileNotInStasis(request: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + NOT_IN_STASIS_YET_WAIT_MS;
  for (let delayMs = 10; ; delayMs = Math.min(delayMs * 2, 200)) {
    try {
      await request();
      return;
    } catch (error) {
      if (!isNotInStasis(error) || Date.now() + delayMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
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
