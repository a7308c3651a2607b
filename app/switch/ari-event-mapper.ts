import { type DialStatus, type SwitchEvent } from '../call-state';
import { usernameOfEndpoint } from '../users';

// The part of ARI's event payloads the platform reads. Nothing of it leaves this adapter.
export interface AriChannel {
  id: string;
  name: string;
  state: string;
  caller?: { name: string; number: string };
  dialplan?: { context: string; exten: string; priority: number; app_name?: string; app_data?: string };
  creationtime?: string;
}

export interface AriEvent {
  type: string;
  timestamp?: string;
  application?: string;
  args?: string[];
  channel?: AriChannel;
  // Dial events: the channel being dialled, and how far it got (PROGRESS, RINGING, ANSWER, BUSY, ...).
  peer?: AriChannel;
  dialstatus?: string;
  cause?: number;
  cause_txt?: string;
  // Dial events: the dialling channel (when there is one) and what it dialled, after the technology
  // ("bob/sip:bob@192.0.2.10:5062" for PJSIP/bob/sip:bob@192.0.2.10:5062).
  caller?: AriChannel;
  dialstring?: string;
  // For a PJSIP channel: the SIP response code that ended it (e.g. 486, 503), when there was one.
  tech_cause?: number;
  soft?: boolean;
}

const NORMAL_CLEARING = 16;

// The ARI event types toSwitchEvent reads; Asterisk may be told to send the application no other.
export const EVENT_TYPES_READ = ['StasisStart', 'StasisEnd', 'Dial', 'ChannelStateChange', 'ChannelHangupRequest', 'ChannelDestroyed'];

// Stasis() arguments that tell where a channel came from (asterisk/conf/extensions.conf) or,
// for the channels we originate, which call they belong to.
const FROM_USER = 'from-user';
const FROM_CARRIER = 'from-carrier';
const CALL_LEG = 'leg';
// A leg created in the application before it is dialled (a carrier): in Stasis from its creation,
// so its answer is the Dial event's, not its entering Stasis.
const DIALED_LEG = 'dialed';
// A handed-off caller back from the dialplan after Dial() ended without an answer (extensions.conf
// [dial-plan]): dial-ended,<callId>,<DIALSTATUS>,<HANGUPCAUSE>,<SIP code or empty>.
const DIAL_ENDED = 'dial-ended';
// The dialplan context of the lean call path (ari-switch-control.ts DIAL_CONTEXT).
const DIAL_CONTEXT = 'dial-plan';

const DIAL_STATUSES: Record<string, DialStatus> = {
  BUSY: 'busy',
  NOANSWER: 'no_answer',
  CONGESTION: 'congestion',
  CHANUNAVAIL: 'unavailable',
  CANCEL: 'cancelled',
};

// "PJSIP/alice-0000002a" -> "alice": the endpoint Asterisk authenticated the call against.
export function endpointOfChannelName(name: string): string | undefined {
  const match = /^PJSIP\/(.+)-[0-9a-f]{8}$/.exec(name);
  return match?.[1];
}

const sipCodeOf = (event: AriEvent): { sipCode?: number } =>
  event.tech_cause !== undefined && event.tech_cause >= 100 && event.tech_cause < 700 ? { sipCode: event.tech_cause } : {};

function timeOf(event: AriEvent): Date {
  const parsed = event.timestamp ? Date.parse(event.timestamp.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) : NaN;
  return Number.isNaN(parsed) ? new Date() : new Date(parsed);
}

// Stasis() arguments of a channel in an application: "calls,dialed,<callId>" -> ['dialed', '<callId>'].
const stasisArgsOf = (channel: AriChannel): string[] => (channel.dialplan?.app_name === 'Stasis' ? (channel.dialplan.app_data ?? '').split(',').slice(1) : []);

// How far a dialled channel got. Only a leg created in the application is answered this way: an
// originated one is answered by entering Stasis.
function fromDial(event: AriEvent, peer: AriChannel): SwitchEvent | undefined {
  const at = timeOf(event);
  switch (event.dialstatus) {
    case 'PROGRESS':
      return { type: 'channel.progress', channelId: peer.id, at };
    case 'RINGING':
      return { type: 'channel.ringing', channelId: peer.id, at };
    case 'ANSWER': {
      const [source, callId] = stasisArgsOf(peer);
      return source === DIALED_LEG && callId ? { type: 'leg.answered', channelId: peer.id, callId, at } : undefined;
    }
    default:
      // A failed attempt ends its channel: its hang-up events say how.
      return undefined;
  }
}

// Dial() of the lean call path, told on the caller's channel: which target got how far. Only the
// first event of a target (no status yet) names what was dialled, after the technology.
function fromDialplanDial(event: AriEvent, caller: AriChannel, peer: AriChannel): SwitchEvent | undefined {
  const at = timeOf(event);
  const ids = { channelId: caller.id, targetChannelId: peer.id };
  switch (event.dialstatus ?? '') {
    case '': {
      const tech = peer.name.split('/')[0];
      return tech && event.dialstring ? { type: 'target.dialled', ...ids, endpoint: `${tech}/${event.dialstring}`, at } : undefined;
    }
    case 'PROGRESS':
      return { type: 'target.progress', ...ids, at };
    case 'RINGING':
      return { type: 'target.ringing', ...ids, at };
    case 'ANSWER':
      return { type: 'target.answered', ...ids, at };
    default:
      // How the attempt ended comes with the caller's return to the application (dial-ended).
      return undefined;
  }
}

function dialEnded(channel: AriChannel, args: string[], at: Date): SwitchEvent | undefined {
  const [, callId = '', status = '', cause = '', sip = ''] = args;
  const sipCode = Number(sip);
  return {
    type: 'dial.ended',
    channelId: channel.id,
    callId,
    status: DIAL_STATUSES[status] ?? 'other',
    cause: Number(cause) || 0,
    ...(Number.isInteger(sipCode) && sipCode >= 300 && sipCode < 700 ? { sipCode } : {}),
    at,
  };
}

export function toSwitchEvent(event: AriEvent): SwitchEvent | undefined {
  if (event.type === 'Dial') {
    if (!event.peer) return undefined;
    if (event.caller?.dialplan?.context === DIAL_CONTEXT) return fromDialplanDial(event, event.caller, event.peer);
    return fromDial(event, event.peer);
  }
  const channel = event.channel;
  if (!channel) return undefined;
  const at = timeOf(event);
  switch (event.type) {
    case 'StasisStart': {
      const [source, callId] = event.args ?? [];
      if (source === CALL_LEG && callId) return { type: 'leg.answered', channelId: channel.id, callId, at };
      if (source === DIAL_ENDED) return dialEnded(channel, event.args ?? [], at);
      const endpoint = endpointOfChannelName(channel.name);
      const dialed = channel.dialplan?.exten;
      if (!endpoint || !dialed) return undefined;
      if (source === FROM_USER) return { type: 'call.arrived', channelId: channel.id, origin: { kind: 'user', username: usernameOfEndpoint(endpoint) }, dialed, at };
      if (source === FROM_CARRIER) {
        const callerNumber = channel.caller?.number ?? '';
        return { type: 'call.arrived', channelId: channel.id, origin: { kind: 'carrier', endpointId: endpoint, callerNumber }, dialed, at };
      }
      return undefined;
    }
    case 'ChannelStateChange':
      return channel.state === 'Ringing' ? { type: 'channel.ringing', channelId: channel.id, at } : undefined;
    // A channel is gone for the call as soon as any of these arrives, whichever is first: a hang-up
    // request (in Stasis), leaving Stasis (Asterisk stops sending us its events after that), or its
    // destruction (the only one for a callee leg that never answered). The manager is idempotent.
    case 'ChannelHangupRequest':
      if (event.soft) return undefined;
      return { type: 'channel.hungup', channelId: channel.id, cause: event.cause ?? NORMAL_CLEARING, causeText: '', ...sipCodeOf(event), at };
    case 'StasisEnd':
      return { type: 'channel.hungup', channelId: channel.id, cause: NORMAL_CLEARING, causeText: 'left Stasis', leftApp: true, at };
    case 'ChannelDestroyed':
      return { type: 'channel.hungup', channelId: channel.id, cause: event.cause ?? 0, causeText: event.cause_txt ?? '', ...sipCodeOf(event), at };
    default:
      return undefined;
  }
}
