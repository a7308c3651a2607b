import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { connect, type TLSSocket } from 'node:tls';

// A minimal SIP user agent for bench/edge-tls: REGISTER and INVITE with digest authentication,
// ACK, BYE, and a callee that answers, over UDP (edge 5060) or TLS (edge 5061). Every request
// goes to the edge (its Record-Route set is sent back as Route headers); no RTP.
export type Transport = 'udp' | 'tls';

interface Message {
  first: string;
  headers: [string, string][];
  body: string;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const token = (): string => randomBytes(8).toString('hex');
const header = (m: Message, name: string): string | undefined => m.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
const headers = (m: Message, name: string): string[] => m.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
const statusOf = (m: Message): number => (m.first.startsWith('SIP/2.0 ') ? Number(m.first.split(' ')[1]) : 0);

function parse(text: string): Message {
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const [first = '', ...lines] = head.split('\r\n');
  const list: [string, string][] = [];
  for (const line of lines) {
    const at = line.indexOf(':');
    if (at > 0) for (const value of line.slice(at + 1).trim().split(/,(?=\s*<)/)) list.push([line.slice(0, at).trim(), value.trim()]);
  }
  return { first, headers: list, body: rest.join('\r\n\r\n') };
}

function sdp(ip: string, port: number, srtp: boolean, profile = srtp ? 'RTP/SAVP' : 'RTP/AVP'): string {
  const key = randomBytes(30).toString('base64');
  return ['v=0', `o=- ${Date.now()} 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} ${profile} 0`, 'a=rtpmap:0 PCMU/8000', ...(srtp ? [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}`] : []), 'a=sendrecv', ''].join('\r\n');
}

export class SipClient {
  private udp?: Socket;
  private tls?: TLSSocket;
  private buffer = '';
  private readonly waiting = new Map<string, (m: Message) => void>();
  private onRequest?: (m: Message) => void;

  constructor(private readonly o: { transport: Transport; edgeIp: string; localIp: string; localPort: number; ca: Buffer }) {}

  async open(): Promise<void> {
    if (this.o.transport === 'udp') {
      const socket = createSocket('udp4');
      socket.on('message', (data) => this.receive(data.toString()));
      await new Promise<void>((resolve) => socket.bind(this.o.localPort, this.o.localIp, resolve));
      this.udp = socket;
      return;
    }
    this.tls = await new Promise<TLSSocket>((resolve, reject) => {
      const socket = connect({ host: this.o.edgeIp, port: 5061, ca: this.o.ca }, () => resolve(socket));
      socket.once('error', reject);
    });
    this.tls.setEncoding('utf8');
    this.tls.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (;;) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\nContent-Length:\s*(\d+)/i.exec(this.buffer.slice(0, end))?.[1] ?? 0);
        if (this.buffer.length < end + 4 + length) return;
        const text = this.buffer.slice(0, end + 4 + length);
        this.buffer = this.buffer.slice(end + 4 + length).replace(/^(\r\n)+/, '');
        this.receive(text);
      }
    });
  }

  close(): Promise<void> {
    this.udp?.close();
    this.tls?.end();
    return Promise.resolve();
  }

  private send(text: string): void {
    if (this.udp) this.udp.send(text, 5060, this.o.edgeIp);
    else this.tls?.write(text);
  }

  private receive(text: string): void {
    if (!text.trim()) return;
    const m = parse(text);
    const status = statusOf(m);
    if (status === 0) return this.onRequest?.(m);
    if (status < 200) return;
    const key = `${header(m, 'Call-ID') ?? ''} ${header(m, 'CSeq') ?? ''}`;
    this.waiting.get(key)?.(m);
  }

  private contact(user: string): string {
    return `<sip:${user}@${this.o.localIp}:${this.o.localPort}${this.o.transport === 'tls' ? ';transport=tls' : ''}>`;
  }

  private request(method: string, uri: string, d: { callId: string; cseq: number; from: string; to: string; extra?: string[]; body?: string; branch?: string }): { text: string; branch: string } {
    const branch = d.branch ?? `z9hG4bK${token()}`;
    const body = d.body ?? '';
    const text = [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/${this.o.transport.toUpperCase()} ${this.o.localIp}:${this.o.localPort};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: ${d.from}`,
      `To: ${d.to}`,
      `Call-ID: ${d.callId}`,
      `CSeq: ${d.cseq} ${method}`,
      ...(d.extra ?? []),
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
    return { text, branch };
  }

  private transact(text: string, callId: string, cseq: string, timeoutMs = 10_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const key = `${callId} ${cseq}`;
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        reject(new Error(`no answer to ${cseq}`));
      }, timeoutMs);
      this.waiting.set(key, (m) => {
        clearTimeout(timer);
        this.waiting.delete(key);
        resolve(m);
      });
      this.send(text);
    });
  }

  private authorization(challenge: Message, method: string, uri: string, user: string, password: string, name = 'Authorization'): string {
    const value = header(challenge, 'WWW-Authenticate') ?? header(challenge, 'Proxy-Authenticate') ?? '';
    const param = (key: string): string => new RegExp(`${key}="?([^",]+)"?`).exec(value)?.[1] ?? '';
    const realm = param('realm');
    const nonce = param('nonce');
    const cnonce = token();
    const response = md5(`${md5(`${user}:${realm}:${password}`)}:${nonce}:00000001:${cnonce}:auth:${md5(`${method}:${uri}`)}`);
    const opaque = param('opaque');
    return `${name}: Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"${opaque ? `, opaque="${opaque}"` : ''}`;
  }

  async register(user: string, password: string, expires: number): Promise<number> {
    const uri = `sip:${this.o.edgeIp}${this.o.transport === 'tls' ? ';transport=tls' : ''}`;
    const callId = token();
    const d = { callId, from: `<sip:${user}@${this.o.edgeIp}>;tag=${token()}`, to: `<sip:${user}@${this.o.edgeIp}>`, extra: [`Contact: ${this.contact(user)}`, `Expires: ${expires}`] };
    let answer = await this.transact(this.request('REGISTER', uri, { ...d, cseq: 1 }).text, callId, '1 REGISTER');
    if (statusOf(answer) === 401) {
      const auth = this.authorization(answer, 'REGISTER', uri, user, password);
      answer = await this.transact(this.request('REGISTER', uri, { ...d, cseq: 2, extra: [...d.extra, auth] }).text, callId, '2 REGISTER');
    }
    return statusOf(answer);
  }

  // A call to `target`, held holdMs and hung up by the caller: the INVITE's final status (200 once the BYE was answered).
  async call(user: string, password: string, target: string, o: { srtp: boolean; holdMs: number }): Promise<number> {
    const uri = `sip:${target}@${this.o.edgeIp}${this.o.transport === 'tls' ? ';transport=tls' : ''}`;
    const callId = token();
    const from = `<sip:${user}@${this.o.edgeIp}>;tag=${token()}`;
    const to = `<sip:${target}@${this.o.edgeIp}>`;
    const offer = sdp(this.o.localIp, 40000, o.srtp);
    const extra = [`Contact: ${this.contact(user)}`];
    let first = this.request('INVITE', uri, { callId, cseq: 1, from, to, extra, body: offer });
    let answer = await this.transact(first.text, callId, '1 INVITE', 20_000);
    let cseq = 1;
    if (statusOf(answer) === 401 || statusOf(answer) === 407) {
      this.send(this.request('ACK', uri, { callId, cseq: 1, from, to: header(answer, 'To') ?? to, branch: first.branch }).text);
      const name = statusOf(answer) === 407 ? 'Proxy-Authorization' : 'Authorization';
      cseq = 2;
      first = this.request('INVITE', uri, { callId, cseq, from, to, extra: [...extra, this.authorization(answer, 'INVITE', uri, user, password, name)], body: offer });
      answer = await this.transact(first.text, callId, `${cseq} INVITE`, 20_000);
    }
    const status = statusOf(answer);
    const toTagged = header(answer, 'To') ?? to;
    if (status !== 200) {
      this.send(this.request('ACK', uri, { callId, cseq, from, to: toTagged, branch: first.branch }).text);
      return status;
    }
    const target2 = /<([^>]+)>/.exec(header(answer, 'Contact') ?? '')?.[1] ?? uri;
    const routes = headers(answer, 'Record-Route').reverse().map((route) => `Route: ${route}`);
    this.send(this.request('ACK', target2, { callId, cseq, from, to: toTagged, extra: routes }).text);
    await new Promise((resolve) => setTimeout(resolve, o.holdMs));
    const bye = await this.transact(this.request('BYE', target2, { callId, cseq: cseq + 1, from, to: toTagged, extra: routes }).text, callId, `${cseq + 1} BYE`);
    return statusOf(bye) === 200 ? 200 : statusOf(bye);
  }

  // Answers every INVITE at once (SRTP when offered and srtp is set), and every BYE.
  answerCalls(user: string, srtp: boolean): void {
    const localTag = token();
    this.onRequest = (m) => {
      const method = m.first.split(' ')[0];
      if (method === 'ACK') return;
      const copy = [...headers(m, 'Via').map((v) => `Via: ${v}`), ...headers(m, 'Record-Route').map((r) => `Record-Route: ${r}`)];
      const to = header(m, 'To') ?? '';
      const base = [`From: ${header(m, 'From') ?? ''}`, `To: ${to.includes('tag=') ? to : `${to};tag=${localTag}`}`, `Call-ID: ${header(m, 'Call-ID') ?? ''}`, `CSeq: ${header(m, 'CSeq') ?? ''}`];
      let body = '';
      if (method === 'INVITE') {
        const offered = /m=audio \d+ (\S+)/.exec(m.body)?.[1] ?? 'RTP/AVP';
        body = sdp(this.o.localIp, 41000, srtp && /a=crypto/.test(m.body), offered);
      }
      const text = ['SIP/2.0 200 OK', ...copy, ...base, `Contact: ${this.contact(user)}`, ...(body ? ['Content-Type: application/sdp'] : []), `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
      this.send(text);
    };
  }
}
