import { type SwitchEvent } from '../call-state';

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
  // For a PJSIP channel: the SIP response code that ended it (e.g. 486, 503), when there was one.
  tech_cause?: number;
  soft?: boolean;
}

const NORMAL_CLEARING = 16;

// Stasis() arguments that tell where a channel came from (asterisk/conf/extensions.conf) or,
// for the channels we originate, which call they belong to.
const FROM_USER = 'from-user';
const FROM_CARRIER = 'from-carrier';
const CALL_LEG = 'leg';
// A leg created in the application before it is dialled (a carrier): in Stasis from its creation,
// so its answer is the Dial event's, not its entering Stasis.
const DIALED_LEG = 'dialed';

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

export function toSwitchEvent(event: AriEvent): SwitchEvent | undefined {
  if (event.type === 'Dial') return event.peer ? fromDial(event, event.peer) : undefined;
  const channel = event.channel;
  if (!channel) return undefined;
  const at = timeOf(event);
  switch (event.type) {
    case 'StasisStart': {
      const [source, callId] = event.args ?? [];
      if (source === CALL_LEG && callId) return { type: 'leg.answered', channelId: channel.id, callId, at };
      const endpoint = endpointOfChannelName(channel.name);
      const dialed = channel.dialplan?.exten;
      if (!endpoint || !dialed) return undefined;
      if (source === FROM_USER) return { type: 'call.arrived', channelId: channel.id, origin: { kind: 'user', username: endpoint }, dialed, at };
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
      return { type: 'channel.hungup', channelId: channel.id, cause: NORMAL_CLEARING, causeText: 'left Stasis', at };
    case 'ChannelDestroyed':
      return { type: 'channel.hungup', channelId: channel.id, cause: event.cause ?? 0, causeText: event.cause_txt ?? '', ...sipCodeOf(event), at };
    default:
      return undefined;
  }
}
