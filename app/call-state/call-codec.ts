import { AppError, type CallId } from '../shared/kernel';
import { type Direction } from '../shared/events';
import { type CallSnapshot, type Leg, type LegOutcome, type Party, type StateChange } from './call';
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
// Adding a field: give it a free flag bit, write it last, bump FORMAT_VERSION and keep reading the
// older versions. A decoder refuses versions and flag bits it does not know rather than guessing.
export const FORMAT_VERSION = 3;
const KNOWN_FLAGS: Record<number, number> = { 1: 0b11111, 2: 0b111111, 3: 0b11111111 };

// A stored call that cannot be read: unknown format version, truncated or malformed bytes.
export class CorruptCallStateError extends AppError {
  constructor(reason: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('CALL_STATE.CORRUPT', `stored call state is unreadable: ${reason}`, 'internal', { reason, ...details }, options);
  }
}

// A call holding a value the format cannot represent (a state or cause without a code, a fractional time).
export class UnencodableCallError extends AppError {
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super('CALL_STATE.UNENCODABLE', `call state cannot be encoded: ${reason}`, 'internal', { reason, ...details });
  }
}

// Codes are part of the stored format: append new values, never renumber. `satisfies` makes the
// compiler ask for a code when a state, cause or outcome is added to its type.
const STATE_CODES = { requested: 0, routing: 1, ringing: 2, answered: 3, ended: 4 } as const satisfies Record<CallStateName, number>;
const END_CAUSE_CODES = {
  completed: 1, busy: 2, no_answer: 3, declined: 4, cancelled: 5, unreachable: 6, no_route: 7, not_allowed: 8, failed: 9, terminated: 10,
} as const satisfies Record<EndCause, number>;
const OUTCOME_CODES = { answered: 1, busy: 2, declined: 3, no_answer: 4, unreachable: 5, cancelled: 6, congestion: 7 } as const satisfies Record<LegOutcome, number>;
// The URI parameters of most contacts; anything else (rinstance=, ob, ...) is kept as a string (code 6).
const URI_PARAMS = ['', ';transport=udp', ';transport=tcp', ';transport=tls', ';transport=ws', ';transport=wss'];
const OTHER_URI_PARAMS = 6;

const FLAG = { callee: 1, answeredLeg: 2, sipCode: 4, ringDeadline: 8, carrierId: 16, talkLimit: 32, direction: 64, legSipCodes: 128 } as const;
// 'on-net' is the default and is not written.
const DIRECTION_CODES = { 'on-net': 0, outbound: 1, inbound: 2 } as const satisfies Record<Direction, number>;
const LEG_FLAG = { carrierId: 8, invitedAt: 16, progressAt: 32, goneSet: 64, gone: 128 } as const; // bits 0-2: outcome

// How a string is stored: the low 3 bits of its varint head.
const KIND = { raw: 0, ref: 1, uuid: 2, asteriskId: 3, e164: 4, sipUri: 5 } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ASTERISK_ID = /^(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})$/; // "1764064400.123": epoch seconds . sequence
const E164 = /^\+[1-9]\d{0,14}$/;
const SIP_URI = /^sip:([^@;:?]+)@([^:;?]+)(?::([1-9]\d{0,4}))?(;.*)?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

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
      (snapshot.legs.some((leg) => leg.sipCode !== undefined) ? FLAG.legSipCodes : 0),
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
  const legCodes = snapshot.legs.flatMap((leg, index) => (leg.sipCode === undefined ? [] : [[index, leg.sipCode] as const]));
  if (legCodes.length > 0) {
    w.unsigned(legCodes.length);
    for (const [index, code] of legCodes) {
      w.unsigned(index);
      w.unsigned(code);
    }
  }
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
  const legs = r.list(() => readLeg(r, base));
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
      leg.sipCode = r.unsigned();
    }
  }
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
  return snapshot;
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
  w.byte(
    (leg.outcome === undefined ? 0 : codeOf(OUTCOME_CODES, leg.outcome, 'leg outcome')) |
      (leg.carrierId !== undefined ? LEG_FLAG.carrierId : 0) |
      (leg.invitedAt !== undefined ? LEG_FLAG.invitedAt : 0) |
      (leg.progressAt !== undefined ? LEG_FLAG.progressAt : 0) |
      (leg.gone !== undefined ? LEG_FLAG.goneSet : 0) |
      (leg.gone ? LEG_FLAG.gone : 0),
  );
  w.string(leg.channelId);
  w.string(leg.contactUri);
  if (leg.carrierId !== undefined) w.string(leg.carrierId);
  if (leg.invitedAt !== undefined) w.signed(leg.invitedAt - base);
  if (leg.progressAt !== undefined) w.signed(leg.progressAt - (leg.invitedAt ?? base));
}

function readLeg(r: Reader, base: number): Leg {
  const flags = r.byte();
  const leg: Leg = { channelId: r.string(), contactUri: r.string() };
  if (flags & LEG_FLAG.carrierId) leg.carrierId = r.string();
  if (flags & 7) leg.outcome = nameOf(OUTCOME_CODES, flags & 7, 'leg outcome');
  if (flags & LEG_FLAG.goneSet) leg.gone = (flags & LEG_FLAG.gone) !== 0;
  if (flags & LEG_FLAG.invitedAt) leg.invitedAt = base + r.signed();
  if (flags & LEG_FLAG.progressAt) leg.progressAt = (leg.invitedAt ?? base) + r.signed();
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

const hexDigit = (code: number): number => (code <= 57 ? code - 48 : code - 87); // '0'-'9', 'a'-'f'
const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);
const unzigzag = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

class Writer {
  private buf = Buffer.allocUnsafe(256);
  private pos = 0;
  // Strings already written in this call, for back-references.
  private readonly seen = new Map<string, number>();

  // The call's base time: Asterisk channel ids are stored as seconds from it.
  constructor(private readonly timeBase: number) {}

  byte(value: number): void {
    this.room(1);
    this.buf[this.pos++] = value;
  }

  // Varint, 7 bits a byte; arithmetic rather than bit operators, which stop at 32 bits.
  unsigned(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new UnencodableCallError('not a safe non-negative integer', { value });
    let rest = value;
    while (rest >= 0x80) {
      this.byte((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.byte(rest);
  }

  signed(value: number): void {
    if (!Number.isSafeInteger(value)) throw new UnencodableCallError('not a safe integer', { value });
    this.unsigned(zigzag(value));
  }

  string(value: string): void {
    const ref = this.seen.get(value);
    if (ref !== undefined) return this.unsigned(ref * 8 + KIND.ref);
    let match: RegExpMatchArray | null;
    if (UUID.test(value)) {
      this.byte(KIND.uuid);
      this.uuid(value);
    } else if ((match = ASTERISK_ID.exec(value))) {
      this.byte(KIND.asteriskId);
      this.signed(Number(match[1]) - Math.floor(this.timeBase / 1000));
      this.unsigned(Number(match[2]));
    } else if (E164.test(value)) {
      this.byte(KIND.e164);
      this.unsigned(Number(value.slice(1)));
    } else if ((match = SIP_URI.exec(value)) && Number(match[3] ?? 0) < 0x10000) {
      this.sipUri(match[1] ?? '', match[2] ?? '', match[3], match[4] ?? '');
    } else {
      const length = Buffer.byteLength(value, 'utf8');
      this.unsigned(length * 8 + KIND.raw);
      this.room(length);
      this.pos += this.buf.write(value, this.pos, 'utf8');
    }
    this.seen.set(value, this.seen.size);
  }

  // Checked by the UUID pattern: lowercase hex digits in groups of 8-4-4-4-12.
  private uuid(value: string): void {
    this.room(16);
    for (let i = 0; i < 36; i += 2) {
      if (value.charCodeAt(i) === 45) i++; // '-'
      this.buf[this.pos++] = (hexDigit(value.charCodeAt(i)) << 4) | hexDigit(value.charCodeAt(i + 1));
    }
  }

  // sip:user@host[:port][;params]: flags (bit 0 IPv4 host, bit 1 port, bits 2-4 URI_PARAMS code),
  // user, host (4 bytes or a string), port (2 bytes), other params (a string).
  private sipUri(user: string, host: string, port: string | undefined, params: string): void {
    const ipv4 = IPV4.test(host);
    const paramsCode = URI_PARAMS.indexOf(params);
    this.byte(KIND.sipUri);
    this.byte((ipv4 ? 1 : 0) | (port ? 2 : 0) | ((paramsCode < 0 ? OTHER_URI_PARAMS : paramsCode) << 2));
    this.string(user);
    if (ipv4) for (const octet of host.split('.')) this.byte(Number(octet));
    else this.string(host);
    if (port) {
      this.byte(Number(port) >> 8);
      this.byte(Number(port) & 0xff);
    }
    if (paramsCode < 0) this.string(params);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

class Reader {
  private pos = 0;
  private readonly seen: string[] = [];
  timeBase = 0;

  constructor(private readonly buf: Buffer) {}

  byte(): number {
    const value = this.buf[this.pos++];
    if (value === undefined) throw new CorruptCallStateError('truncated', { length: this.buf.length });
    return value;
  }

  unsigned(): number {
    let value = 0;
    for (let scale = 1; ; scale *= 0x80) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) break;
      if (scale > 2 ** 45) throw new CorruptCallStateError('varint too long', { at: this.pos });
    }
    return value;
  }

  signed(): number {
    return unzigzag(this.unsigned());
  }

  list<T>(read: () => T): T[] {
    const count = this.unsigned();
    // Every item takes at least a byte: a larger count is corruption, not a reason to allocate.
    if (count > this.buf.length - this.pos) throw new CorruptCallStateError('list longer than the value', { count });
    return Array.from({ length: count }, read);
  }

  string(): string {
    const head = this.unsigned();
    const kind = head % 8;
    if (kind === KIND.ref) {
      const value = this.seen[Math.floor(head / 8)];
      if (value === undefined) throw new CorruptCallStateError('dangling string reference', { ref: Math.floor(head / 8) });
      return value;
    }
    const value = this.stringOfKind(kind, head);
    this.seen.push(value);
    return value;
  }

  private stringOfKind(kind: number, head: number): string {
    switch (kind) {
      case KIND.raw:
        return this.take(Math.floor(head / 8)).toString('utf8');
      case KIND.uuid: {
        const hex = this.take(16).toString('hex');
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      }
      case KIND.asteriskId:
        return `${Math.floor(this.timeBase / 1000) + this.signed()}.${this.unsigned()}`;
      case KIND.e164:
        return `+${this.unsigned()}`;
      case KIND.sipUri:
        return this.sipUri();
      default:
        throw new CorruptCallStateError('unknown string kind', { kind });
    }
  }

  private sipUri(): string {
    const flags = this.byte();
    const code = flags >> 2;
    if (code > OTHER_URI_PARAMS) throw new CorruptCallStateError('unknown SIP URI parameters', { flags });
    const user = this.string();
    const host = flags & 1 ? [...this.take(4)].join('.') : this.string();
    const port = flags & 2 ? `:${this.take(2).readUInt16BE(0)}` : '';
    const params = code === OTHER_URI_PARAMS ? this.string() : (URI_PARAMS[code] ?? '');
    return `sip:${user}@${host}${port}${params}`;
  }

  private take(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new CorruptCallStateError('truncated', { length: this.buf.length });
    const bytes = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return bytes;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new CorruptCallStateError('trailing bytes', { length: this.buf.length, read: this.pos });
  }
}
