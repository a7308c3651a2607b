import { type CallId } from '../shared/kernel';
import { type Direction } from '../shared/events';
import { type CallSnapshot, type Leg, type Party, type StateChange } from './call';
import { DIALING, legSipCodeOf, type LegOutcome, outcomeOf } from './leg-states';
import { CorruptCallStateError, UnencodableCallError } from './call-codec-errors';
import { Reader, unzigzag, Writer, zigzag } from './compact-binary';
import { type CallStateName, type EndCause } from './states';

// The stored form of a live call: compact binary, because every live call of the platform sits in
// Redis memory. Positional fields instead of key names, absent optionals cost one flag bit, UUIDs
// are 16 raw bytes, times are varint offsets, enums are small integers, and a string seen earlier in
// the same call (the callee's username in a contact URI, the answered leg's channel id) is a
// one-byte back-reference. Layout of version 1, in this order:
//   u8 version | u8 state + endCause<<3 | u8 flags (FLAG_*) | base time (first history entry) | id
//   caller (party + channelId) | [callee] | dialed | [carrierId] | legs | [answeredLeg] | [sipCode]
//   | [ringDeadline] | history
// Version 2 adds, last: [talkLimitSeconds] (credit reserved for the call's talk time).
// Version 3 adds, last: [direction] | [the SIP code that ended each leg: count, then (index, code)].
// Version 4 adds, last: owner (the controller instance driving the call; empty when unknown). The
// flags byte is full since version 3: a later field needs a second flags byte.
// Version 5 adds, last: a second flags byte (FLAG2_*; bit 0: an emergency call), written only when
// one is set, so that an ordinary call stays within its 192-byte Redis allocation.
// Version 6 adds FLAG2 bits for the phase's data, written after the second flags byte in this
// order: restricted (CLIR, no data) | [carriersLeft: count, carrier ids] | [callerDevices: count,
// channel ids], so that a restarted controller goes on hunting carriers or ringing a click-to-call's
// caller where its predecessor stopped.
// Version 7 reads each leg's state (leg-states.ts) from the same leg flags byte: the outcome bits are
// a finished leg's state; a leg without one is dialing, or ringing once it made progress, or
// progressing (a 183 without a 180) when its gone bits are 01 (not released) or 10 (released) (in
// earlier versions 01 was an explicit gone=false and 10 unused); 11 is released. It adds FLAG2 16: [earlyMedia: count, channel ids] after
// callerDevices (the channels bridged before the answer), so that a restarted controller neither
// bridges them twice nor leaves the bridge behind.
// Adding a field: give it a free flag bit, write it last, bump FORMAT_VERSION and keep reading the
// older versions. A decoder refuses versions and flag bits it does not know rather than guessing.
export const FORMAT_VERSION = 7;
const KNOWN_FLAGS: Record<number, number> = { 1: 0b11111, 2: 0b111111, 3: 0b11111111, 4: 0b11111111, 5: 0b11111111, 6: 0b11111111, 7: 0b11111111 };
const FLAG2 = { emergency: 1, restricted: 2, carriersLeft: 4, callerDevices: 8, earlyMedia: 16 } as const;
const KNOWN_FLAGS2: Record<number, number> = { 5: 0b1, 6: 0b1111, 7: 0b11111 };

export { CorruptCallStateError, UnencodableCallError } from './call-codec-errors';

// Codes are part of the stored format: append new values, never renumber. `satisfies` makes the
// compiler ask for a code when a state, cause or outcome is added to its type.
const STATE_CODES = { requested: 0, routing: 1, ringing: 2, answered: 3, ended: 4 } as const satisfies Record<CallStateName, number>;
const END_CAUSE_CODES = {
  completed: 1, busy: 2, no_answer: 3, declined: 4, cancelled: 5, unreachable: 6, no_route: 7, not_allowed: 8, failed: 9, terminated: 10, suspended: 11, call_limit: 12,
  blocked_destination: 13, spend_cap: 14, call_rate_cap: 15,
} as const satisfies Record<EndCause, number>;
const OUTCOME_CODES = { answered: 1, busy: 2, declined: 3, no_answer: 4, unreachable: 5, cancelled: 6, congestion: 7 } as const satisfies Record<LegOutcome, number>;
const FLAG = { callee: 1, answeredLeg: 2, sipCode: 4, ringDeadline: 8, carrierId: 16, talkLimit: 32, direction: 64, legSipCodes: 128 } as const;
// 'on-net' is the default and is not written.
const DIRECTION_CODES = { 'on-net': 0, outbound: 1, inbound: 2 } as const satisfies Record<Direction, number>;
const LEG_FLAG = { carrierId: 8, invitedAt: 16, progressAt: 32, goneSet: 64, gone: 128 } as const; // bits 0-2: outcome

export function encodeCall(snapshot: CallSnapshot): Buffer {
  const base = snapshot.history[0]?.at ?? 0;
  const w = new Writer(base);
  const endCause = snapshot.endCause === undefined ? 0 : codeOf(END_CAUSE_CODES, snapshot.endCause, 'end cause');
  w.byte(FORMAT_VERSION);
  w.byte(codeOf(STATE_CODES, snapshot.state, 'state') | (endCause << 3));
  w.byte(
    (snapshot.callee ? FLAG.callee : 0) |
      (snapshot.answeredLeg !== undefined ? FLAG.answeredLeg : 0) |
      (snapshot.sipCode !== undefined ? FLAG.sipCode : 0) |
      (snapshot.ringDeadline !== undefined ? FLAG.ringDeadline : 0) |
      (snapshot.carrierId !== undefined ? FLAG.carrierId : 0) |
      (snapshot.talkLimitSeconds !== undefined ? FLAG.talkLimit : 0) |
      (snapshot.direction !== undefined && snapshot.direction !== 'on-net' ? FLAG.direction : 0) |
      (snapshot.legs.some((leg) => legSipCodeOf(leg.state) !== undefined) ? FLAG.legSipCodes : 0),
  );
  w.signed(base);
  w.string(snapshot.id);
  writeParty(w, snapshot.caller);
  w.string(snapshot.caller.channelId);
  if (snapshot.callee) writeParty(w, snapshot.callee);
  w.string(snapshot.dialed);
  if (snapshot.carrierId !== undefined) w.string(snapshot.carrierId);
  w.unsigned(snapshot.legs.length);
  for (const leg of snapshot.legs) writeLeg(w, leg, base);
  if (snapshot.answeredLeg !== undefined) w.string(snapshot.answeredLeg);
  if (snapshot.sipCode !== undefined) w.unsigned(snapshot.sipCode);
  if (snapshot.ringDeadline !== undefined) w.signed(snapshot.ringDeadline - base);
  w.unsigned(snapshot.history.length);
  let previous = base;
  for (const change of snapshot.history) {
    w.unsigned(zigzag(change.at - previous) * 8 + codeOf(STATE_CODES, change.state, 'state'));
    previous = change.at;
  }
  if (snapshot.talkLimitSeconds !== undefined) w.unsigned(snapshot.talkLimitSeconds);
  if (snapshot.direction !== undefined && snapshot.direction !== 'on-net') w.byte(codeOf(DIRECTION_CODES, snapshot.direction, 'direction'));
  const legCodes = snapshot.legs.flatMap((leg, index) => {
    const code = legSipCodeOf(leg.state);
    return code === undefined ? [] : [[index, code] as const];
  });
  if (legCodes.length > 0) {
    w.unsigned(legCodes.length);
    for (const [index, code] of legCodes) {
      w.unsigned(index);
      w.unsigned(code);
    }
  }
  w.string(snapshot.owner ?? '');
  const carriersLeft = snapshot.carriersLeft ?? [];
  const callerDevices = snapshot.callerDevices ?? [];
  const earlyMedia = snapshot.earlyMedia ?? [];
  const flags2 =
    (snapshot.emergency ? FLAG2.emergency : 0) |
    (snapshot.restricted ? FLAG2.restricted : 0) |
    (carriersLeft.length > 0 ? FLAG2.carriersLeft : 0) |
    (callerDevices.length > 0 ? FLAG2.callerDevices : 0) |
    (earlyMedia.length > 0 ? FLAG2.earlyMedia : 0);
  if (flags2 !== 0) w.byte(flags2);
  if (carriersLeft.length > 0) writeStrings(w, carriersLeft);
  if (callerDevices.length > 0) writeStrings(w, callerDevices);
  if (earlyMedia.length > 0) writeStrings(w, earlyMedia);
  return w.done();
}

export function decodeCall(value: Buffer): CallSnapshot {
  const r = new Reader(value);
  const version = r.byte();
  const knownFlags = KNOWN_FLAGS[version];
  if (knownFlags === undefined) throw new CorruptCallStateError('unknown format version', { version });
  const head = r.byte();
  const flags = r.byte();
  if (flags & ~knownFlags) throw new CorruptCallStateError('unknown flags', { flags });
  const base = r.signed();
  r.timeBase = base;
  const id = r.string() as CallId;
  const caller = { ...readParty(r), channelId: r.string() };
  const callee = flags & FLAG.callee ? readParty(r) : undefined;
  const dialed = r.string();
  const carrierId = flags & FLAG.carrierId ? r.string() : undefined;
  const legs = r.list(() => readLeg(r, base, version));
  const answeredLeg = flags & FLAG.answeredLeg ? r.string() : undefined;
  const sipCode = flags & FLAG.sipCode ? r.unsigned() : undefined;
  const ringDeadline = flags & FLAG.ringDeadline ? base + r.signed() : undefined;
  let previous = base;
  const history = r.list((): StateChange => {
    const packed = r.unsigned();
    previous += unzigzag(Math.floor(packed / 8));
    return { state: nameOf(STATE_CODES, packed % 8, 'state'), at: previous };
  });
  const talkLimitSeconds = flags & FLAG.talkLimit ? r.unsigned() : undefined;
  const direction = flags & FLAG.direction ? nameOf(DIRECTION_CODES, r.byte(), 'direction') : undefined;
  if (flags & FLAG.legSipCodes) {
    for (let n = r.unsigned(); n > 0; n -= 1) {
      const leg = legs[r.unsigned()];
      if (!leg) throw new CorruptCallStateError('SIP code of a leg that does not exist');
      const code = r.unsigned();
      if (leg.state.name !== 'failed' && leg.state.name !== 'cancelled') throw new CorruptCallStateError('SIP code of a leg that did not fail', { state: leg.state.name });
      leg.state = { ...leg.state, sipCode: code };
    }
  }
  const owner = version >= 4 ? r.string() : '';
  const flags2 = version >= 5 && !r.atEnd ? r.byte() : undefined;
  // Written only when not 0: a 0 there is a byte too many.
  if (flags2 === 0) throw new CorruptCallStateError('trailing bytes', { length: value.length });
  if (flags2 !== undefined && flags2 & ~(KNOWN_FLAGS2[version] ?? 0)) throw new CorruptCallStateError('unknown flags', { flags2 });
  const carriersLeft = flags2 !== undefined && flags2 & FLAG2.carriersLeft ? r.list(() => r.string()) : undefined;
  const callerDevices = flags2 !== undefined && flags2 & FLAG2.callerDevices ? r.list(() => r.string()) : undefined;
  const earlyMedia = flags2 !== undefined && flags2 & FLAG2.earlyMedia ? r.list(() => r.string()) : undefined;
  r.end();
  // Absent optionals stay absent: no key, rather than a key holding undefined.
  const snapshot: CallSnapshot = { id, caller, dialed, state: nameOf(STATE_CODES, head & 7, 'state'), legs, history };
  if (callee) snapshot.callee = callee;
  if (answeredLeg !== undefined) snapshot.answeredLeg = answeredLeg;
  if (head >> 3) snapshot.endCause = nameOf(END_CAUSE_CODES, head >> 3, 'end cause');
  if (sipCode !== undefined) snapshot.sipCode = sipCode;
  if (ringDeadline !== undefined) snapshot.ringDeadline = ringDeadline;
  if (carrierId !== undefined) snapshot.carrierId = carrierId;
  if (talkLimitSeconds !== undefined) snapshot.talkLimitSeconds = talkLimitSeconds;
  if (direction !== undefined) snapshot.direction = direction;
  if (owner) snapshot.owner = owner;
  if (flags2 !== undefined && flags2 & FLAG2.emergency) snapshot.emergency = true;
  if (flags2 !== undefined && flags2 & FLAG2.restricted) snapshot.restricted = true;
  if (carriersLeft) snapshot.carriersLeft = carriersLeft;
  if (callerDevices) snapshot.callerDevices = callerDevices;
  if (earlyMedia) snapshot.earlyMedia = earlyMedia;
  return snapshot;
}

function writeStrings(w: Writer, values: string[]): void {
  w.unsigned(values.length);
  for (const value of values) w.string(value);
}

function writeParty(w: Writer, party: Party): void {
  w.string(party.userId);
  w.string(party.username);
  w.string(party.phoneNumber);
}

function readParty(r: Reader): Party {
  return { userId: r.string(), username: r.string(), phoneNumber: r.string() };
}

function writeLeg(w: Writer, leg: Leg, base: number): void {
  const { state } = leg;
  const outcome = outcomeOf(state);
  const progressing = state.name === 'progressing' && leg.progressAt !== undefined;
  const goneBits = progressing ? (state.released ? LEG_FLAG.gone : LEG_FLAG.goneSet) : state.released ? LEG_FLAG.goneSet | LEG_FLAG.gone : 0;
  w.byte(
    (outcome === undefined ? 0 : codeOf(OUTCOME_CODES, outcome, 'leg outcome')) |
      (leg.carrierId !== undefined ? LEG_FLAG.carrierId : 0) |
      (leg.invitedAt !== undefined ? LEG_FLAG.invitedAt : 0) |
      (leg.progressAt !== undefined ? LEG_FLAG.progressAt : 0) |
      goneBits,
  );
  w.string(leg.channelId);
  w.string(leg.contactUri);
  if (leg.carrierId !== undefined) w.string(leg.carrierId);
  if (leg.invitedAt !== undefined) w.signed(leg.invitedAt - base);
  if (leg.progressAt !== undefined) w.signed(leg.progressAt - (leg.invitedAt ?? base));
}

function readLeg(r: Reader, base: number, version: number): Leg {
  const flags = r.byte();
  const leg: Leg = { channelId: r.string(), contactUri: r.string(), state: DIALING };
  if (flags & LEG_FLAG.carrierId) leg.carrierId = r.string();
  if (flags & LEG_FLAG.invitedAt) leg.invitedAt = base + r.signed();
  if (flags & LEG_FLAG.progressAt) leg.progressAt = (leg.invitedAt ?? base) + r.signed();
  const gone = flags & (LEG_FLAG.goneSet | LEG_FLAG.gone);
  const released = gone === (LEG_FLAG.goneSet | LEG_FLAG.gone) || (version >= 7 && gone === LEG_FLAG.gone);
  const flag = released ? { released: true as const } : {};
  const outcome = flags & 7 ? nameOf(OUTCOME_CODES, flags & 7, 'leg outcome') : undefined;
  if (outcome === 'answered' || outcome === 'cancelled') leg.state = { name: outcome, ...flag };
  else if (outcome !== undefined) leg.state = { name: 'failed', outcome, ...flag };
  else if (leg.progressAt === undefined) leg.state = { name: 'dialing', ...flag };
  else leg.state = { name: version >= 7 && (gone === LEG_FLAG.goneSet || gone === LEG_FLAG.gone) ? 'progressing' : 'ringing', ...flag };
  return leg;
}

function codeOf<K extends string>(codes: Record<K, number>, name: K, what: string): number {
  const code = Object.prototype.hasOwnProperty.call(codes, name) ? codes[name] : undefined;
  if (code === undefined) throw new UnencodableCallError(`unknown ${what}`, { value: name });
  return code;
}

function nameOf<K extends string>(codes: Record<K, number>, code: number, what: string): K {
  const name = (Object.keys(codes) as K[]).find((key) => codes[key] === code);
  if (name === undefined) throw new CorruptCallStateError(`unknown ${what} code`, { code });
  return name;
}
