import { type CallCommand, type CallCommandReply, type CallEnded, type PublishableEvent, type RtpQuality } from '../shared/events';
import { AppError, type CallId } from '../shared/kernel';
import { type Call, type Party } from './call';

// ---- What the call state manager needs from the switch (implemented by app/switch).

// Neutral switch events: the switch adapter turns raw ARI events into these before the core sees them.
// Where a new call comes from: a user's device, or the phone network through a carrier.
export type CallOrigin = { kind: 'user'; username: string } | { kind: 'carrier'; endpointId: string; callerNumber: string };

export type SwitchEvent =
  | { type: 'call.arrived'; channelId: string; origin: CallOrigin; dialed: string; at: Date }
  // A call handed to the switch's own dialling (handOff): how one of its targets gets on, told on
  // the caller's channel (channelId). targetChannelId: the switch's channel for that target; the
  // first event of each (target.dialled) also names its endpoint, as handed off.
  | { type: 'target.dialled'; channelId: string; targetChannelId: string; endpoint: string; at: Date }
  | { type: 'target.progress' | 'target.ringing' | 'target.answered'; channelId: string; targetChannelId: string; at: Date }
  // The switch's dialling of a handed-off call ended without an answer; the caller's channel is
  // back in the application and waits for what is next (another carrier, or its SIP response).
  // sipCode: the final response of the (first) target, when there was one.
  | { type: 'dial.ended'; channelId: string; callId: string; status: DialStatus; cause: number; sipCode?: number; at: Date }
  | { type: 'leg.answered'; channelId: string; callId: string; at: Date }
  | { type: 'channel.ringing'; channelId: string; at: Date }
  // The far end says the call is progressing (183 Session Progress), usually with early media
  // (ringback or an announcement of the far network), and may never send 180.
  | { type: 'channel.progress'; channelId: string; at: Date }
  // sipCode: the SIP final response that ended the channel, when the switch knows it (e.g. 486, 503).
  // leftApp: the channel only left the application (it may live on in the switch's dialplan).
  | { type: 'channel.hungup'; channelId: string; cause: number; causeText: string; sipCode?: number; leftApp?: boolean; at: Date };

// How the switch's own dialling of a handed-off call ended without an answer.
export type DialStatus = 'busy' | 'no_answer' | 'congestion' | 'unavailable' | 'cancelled' | 'other';

// What the switch needs to ring a call's targets itself (CALL_PATH=dialplan): every endpoint in
// parallel, the first to answer bridged with the caller and the others cancelled, early media passed
// through, and the talk time granted enforced from the answer on, without the controller.
export interface HandOffRequest {
  callId: CallId;
  // Addresses to dial, as originate takes them (a device's from deviceAddress, a carrier's dial target).
  endpoints: string[];
  ringTimeoutSeconds: number;
  // Talk time allowed from the answer; the switch hangs up when it is spent. Absent: no limit.
  talkLimitSeconds?: number;
  // Whether the application already follows the caller's channel out of the application (a
  // second attempt of the same call).
  followed: boolean;
}

export interface OriginateRequest {
  channelId: string;
  callId: CallId;
  // What to dial: a device's address (SwitchControl.deviceAddress) or a carrier's dial target.
  endpoint: string;
  callerId: string;
  // [call-policy] The caller asked for its number to be withheld (CLIR): the far end sees it as
  // anonymous, while the carrier still gets it in P-Asserted-Identity. Absent: presented.
  callerPresentation?: 'restricted';
  // The channel this leg is dialled for (its codecs and linked id); none for a click-to-call's caller.
  originatorChannelId?: string;
  timeoutSeconds: number;
}

export type HangupReason = 'normal' | 'busy' | 'no_answer' | 'answered_elsewhere' | 'failure';

// The switch refused an originate outright (bad request, unknown endpoint, id in use): it created
// no channel. Any other originate failure (no answer in time, switch error, connection lost) leaves
// it unknown whether the channel exists and rings.
export class OriginateRefusedError extends AppError {
  constructor(channelId: string, options?: { cause?: unknown }) {
    super('SWITCH.ORIGINATE_REFUSED', 'the switch refused to originate the channel', 'invalid', { channelId }, options);
  }
}

// A channel as the switch reports it when asked for all of them (recovery after a restart or a lost
// event connection).
export interface SwitchChannel {
  id: string;
  createdAt: Date;
  // Set when the channel waits in this controller's application: a call's caller, a callee leg still
  // ringing or one that answered (its answer event may have been lost), or another module's channel
  // (a snoop, a tone player), none of the calls' business.
  inApp?: 'caller' | 'ringing-leg' | 'answered-leg' | 'other';
}

// A mixing bridge this controller created (its id is the call's id).
export interface SwitchBridge {
  id: string;
  channelIds: string[];
  createdAt: Date;
}

export interface SwitchControl {
  // "Ring this user's device": the address the switch dials for one registered device (a contact)
  // of a user. Opaque to the calls: how a device is dialled is the switch's business. `identity`:
  // the user's other SIP identity the device registered as (a browser), whose media profile it needs.
  deviceAddress(username: string, contactUri: string, identity?: string): string;
  // Throws OriginateRefusedError when the switch certainly created no channel.
  originate(request: OriginateRequest): Promise<void>;
  // A leg that may give early media (a carrier): its channel is created in the controller's
  // application without calling anyone yet, so that it can be bridged with the caller before it
  // answers; dialChannel() then calls the endpoint. Its progress, ringing and answer come as
  // channel.progress, channel.ringing and leg.answered. createChannel throws OriginateRefusedError
  // when the switch certainly created no channel.
  createChannel(request: OriginateRequest): Promise<void>;
  dialChannel(channelId: string, options: { callerChannelId: string; timeoutSeconds: number }): Promise<void>;
  ring(channelId: string): Promise<void>;
  // Tells an unanswered incoming channel that its call is progressing (183 Session Progress with
  // media), so that it hears what its bridge plays before the answer.
  progress(channelId: string): Promise<void>;
  answer(channelId: string): Promise<void>;
  // Sends the caller's channel (in the application) to the switch's own dialling of these targets,
  // following its events from there on (target.*, dial.ended, channel.hungup).
  handOff(callerChannelId: string, request: HandOffRequest): Promise<void>;
  // Ends a channel; a channel that is already gone counts as ended.
  hangup(channelId: string, reason: HangupReason): Promise<void>;
  // Refuses an unanswered incoming channel with this exact SIP response code.
  reject(channelId: string, sipCode: number): Promise<void>;
  // A short warning tone (a beep) to this channel only, which the other party does not hear; it
  // ends by itself. A channel that is gone counts as done.
  playTone(channelId: string): Promise<void>;
  // Creates the mixing bridge; one that exists already is left as it is.
  createBridge(bridgeId: string): Promise<void>;
  addToBridge(bridgeId: string, channelIds: string[]): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  // The switch itself hangs this channel up at `at` (null: no deadline), whether or not the
  // controller is still there: the safety net of a paid call's granted talk time. Setting it again
  // moves it; a deadline already past hangs up at once. A channel that is gone counts as done.
  setHangupDeadline(channelId: string, at: Date | null): Promise<void>;
  // RTP statistics of a channel (RTCP), or undefined when the channel is gone or has no RTP.
  rtpQuality(channelId: string): Promise<RtpQuality | undefined>;
  // The statistics of the bridged side that just hung up, as left on the side still up.
  rtpQualityOfGonePeer(survivorChannelId: string): Promise<RtpQuality | undefined>;
  listChannels(): Promise<SwitchChannel[]>;
  // The bridges this controller created, live or left behind.
  listBridges(): Promise<SwitchBridge[]>;
}

// What the switch itself recorded of a channel (its own clock, written while the controller may
// be away): when it was answered and when it hung up, as far as it got.
export interface ChannelTimes {
  answeredAt?: Date;
  hungUpAt?: Date;
}

// The switch's own record of channels' answers and hang-ups, kept apart from the controller and
// the database (a file the switch writes), read when the controller finds calls that ended while
// it was away.
export interface SwitchCallLog {
  // The records of these channels written at `since` or later; channels without one are absent.
  timesOf(channelIds: readonly string[], since: Date): Promise<Map<string, ChannelTimes>>;
}

// ---- Who is calling whom.

export interface SubscriberDirectory {
  findByUsername(username: string): Promise<Party | undefined>;
  // By user id (the admin API's click-to-call takes either); absent where nothing needs it.
  findById?(userId: string): Promise<Party | undefined>;
  // The dialed string as the caller sent it: a username or an E.164 number.
  findByDialed(dialed: string): Promise<Party | undefined>;
}

// A registered device of a user: where to send the INVITE.
export interface Connection {
  contactUri: string;
  // The switch endpoint it registered as, when not the user's own (a browser's "<username>~web").
  endpoint?: string;
}

export interface ConnectionLookup {
  connectionsOf(username: string): Promise<Connection[]>;
}

// ---- May the call go on (billing answers; the design's continueCall).

export interface AuthorizationRequest {
  callId: string;
  caller: Party;
  callee?: Party;
  // E.164 destination: the callee's number for an on-net call, the dialled number for PSTN.
  destination: string;
  onNet: boolean;
  at: Date;
}

export type CallAuthorization =
  // reservedSeconds: talk time the call may use so far; null when nothing limits it (a free call).
  | { allowed: true; reservedSeconds: number | null }
  | { allowed: false; reason: 'no_credit' | 'no_rate' | 'billing_unavailable' };

export interface CallAuthorizer {
  // At call start, before anything rings: reserves the first slice of credit of a paid call.
  authorize(request: AuthorizationRequest): Promise<CallAuthorization>;
  // Before the reserved talk time runs out: reserves more if the account can; allowed=false, or
  // the same reservedSeconds, means the call must end when its reserved time is spent.
  extend(callId: string): Promise<CallAuthorization>;
  // What authorize would answer without reaching its data (an outage), from what billing last
  // knew: asked when authorize throws. Without it, such a call fails closed.
  outageAnswer?(request: AuthorizationRequest): CallAuthorization;
  // At the end of a paid call, with the call.v1.ended the stream will carry: releases its credit
  // at once (charging its talk time) instead of when the event is settled downstream, which a
  // NATS outage delays; the downstream settlement then repeats nothing. Best effort: a failure
  // leaves it to the downstream settlement.
  settleEnded?(event: CallEnded): Promise<void>;
}

// Told of every answer as the switch reports it, before the call's store write and its event:
// lawful intercept's tap starts from here (app/intercept/call-path-tap.ts) so that it never waits
// on the event stream or the database. Must not throw and is not awaited.
export interface AnswerObserver {
  answered(call: { callId: string; caller: Party; callee?: Party; channels: { caller: string; callee?: string }; at: Date }): void;
}

// ---- Calls to the phone network (PSTN) through SIP carriers.

export interface RouteRequest {
  callId: string;
  caller: Party;
  // E.164, e.g. +442071838750
  destination: string;
  at: Date;
}

// The recommendation service's getRoute: carriers to try for this call, best first.
export interface Router {
  routesFor(request: RouteRequest): Promise<string[]>;
}

export interface CarrierTarget {
  carrierId: string;
  // The switch's address of this number through this carrier (built by app/switch's
  // carrierDialString): opaque here, handed back to the switch to dial.
  endpoint: string;
  maxConcurrentCalls: number;
}

export interface CarrierDirectory {
  // How to send this number to this carrier; undefined when the carrier is unknown or disabled.
  dialTarget(carrierId: string, destination: string): Promise<CarrierTarget | undefined>;
  // The carrier an inbound channel came from (by the switch's endpoint id of its trunk).
  carrierOfEndpoint(endpointId: string): Promise<string | undefined>;
}

// One carrier call slot, held by one leg (its channel id).
export interface CarrierSlot {
  carrierId: string;
  legId: string;
}

// Concurrent calls per carrier, shared by every controller instance. A slot lasts until released or
// until it expires, so that the slots of a controller that died free themselves; live calls hold
// theirs again before that.
export interface CarrierCapacity {
  // Takes one of the carrier's call slots for this leg if one is free.
  tryAcquire(carrierId: string, legId: string, max: number): Promise<boolean>;
  // Holds these slots again, whatever the limit: legs that already had them (taken over after a
  // restart, or kept from expiring).
  hold(slots: CarrierSlot[]): Promise<void>;
  release(carrierId: string, legId: string): Promise<void>;
}

// ---- The controller instances.

// What is known of each controller instance, whichever is asking (Redis in production).
export interface InstanceRegistry {
  // The last moment that instance's switch events were known to arrive (its heartbeat, kept while
  // its event connection is up), if it ever had one.
  eventsSeenAt(instanceId: string): Promise<Date | undefined>;
  // Whether that instance is running (holds the lease on its id).
  isRunning(instanceId: string): Promise<boolean>;
}

// ---- Where live calls are kept.

// Live call state, shared by every controller instance (Redis in production). Calls are written
// through on every change; the channel -> call index lives in the owning controller's memory and is
// rebuilt from liveCalls() after a restart.
export interface CallStore {
  // Saves the call and queues these events for publication, atomically: neither without the other.
  // The call is recorded as owned by the instance that saves it.
  save(call: Call, events?: PublishableEvent[]): Promise<void>;
  // Takes a call over for this instance if it is still owned by `owner` (undefined: by nobody), in
  // one step: of two instances claiming the same call, one gets it. The call as taken, or undefined.
  claim(callId: string, owner: string | undefined): Promise<Call | undefined>;
  get(callId: string): Promise<Call | undefined>;
  // Forgets a finished call, queueing its last events in the same step.
  delete(call: Call, events?: PublishableEvent[]): Promise<void>;
  // Every live call (of every instance): a scan, for recovery and the operators' full list.
  liveCalls(): Promise<Call[]>;
  // The live calls of one user, as caller or callee (for operators: it may read every live call).
  liveCallsOf(userId: string): Promise<Call[]>;
  // Keeps long calls from expiring (the TTL is a safety net for calls nobody ends).
  touch(calls: Call[]): Promise<void>;
}

// ---- What operators watch.

// The call state manager's own figures (Prometheus in production): every event it queues, with the
// number of live calls this instance drives at that moment.
export interface CallMetrics {
  observe(events: readonly PublishableEvent[], liveCalls: number): void;
}

// ---- Operator commands for calls another instance drives.

// Sends a command to the instance that owns a call (NATS request/reply in production); an owner
// that does not answer in time is an 'unreachable' reply, not an exception.
export interface CallCommandForwarder {
  forward(owner: string, command: CallCommand): Promise<CallCommandReply>;
}

// Where a click-to-call is placed: on this instance's switch (`local`), or, in a fleet, on a node
// whose switch is up. Resolves with the call's id; the call is in the store by then.
export interface CallPlacement {
  place(command: Extract<CallCommand, { kind: 'start_call' }>, local: () => Promise<string>): Promise<string>;
}
