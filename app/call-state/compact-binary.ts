import { CorruptCallStateError, UnencodableCallError } from './call-codec-errors';

// The compact binary primitives of the stored call format (call-codec.ts lays the call out with
// them): 7-bit varints, zigzag for signed values, and strings stored by kind. A string seen earlier
// in the same value is a one-byte back-reference; UUIDs are 16 raw bytes; Asterisk channel ids are
// seconds from the call's base time and a sequence; E.164 numbers are one varint; SIP URIs are split
// into user, host (4 bytes for IPv4), port and a code for their usual parameters.

// The URI parameters of most contacts; anything else (rinstance=, ob, ...) is kept as a string (code 6).
const URI_PARAMS = ['', ';transport=udp', ';transport=tcp', ';transport=tls', ';transport=ws', ';transport=wss'];
const OTHER_URI_PARAMS = 6;

// How a string is stored: the low 3 bits of its varint head.
const KIND = { raw: 0, ref: 1, uuid: 2, asteriskId: 3, e164: 4, sipUri: 5 } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ASTERISK_ID = /^(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})$/; // "1764064400.123": epoch seconds . sequence
const E164 = /^\+[1-9]\d{0,14}$/;
const SIP_URI = /^sip:([^@;:?]+)@([^:;?]+)(?::([1-9]\d{0,4}))?(;.*)?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const hexDigit = (code: number): number => (code <= 57 ? code - 48 : code - 87); // '0'-'9', 'a'-'f'
export const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);
export const unzigzag = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

export class Writer {
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

export class Reader {
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

  get atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new CorruptCallStateError('trailing bytes', { length: this.buf.length, read: this.pos });
  }
}
