import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

// A bare SIP client over UDP from a chosen source address, for the edge's attack handling: what a
// brute-force tool, a flooder or a scanner sends (wrong digest answers by the dozen, bursts of
// OPTIONS, a scanner's User-Agent), with a short wait for each answer so that silence (a dropped
// request) is seen quickly. Real phones in the same tests are sipp.

export interface SipAnswer {
  status: number;
  headers: string;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const param = (header: string, name: string): string | undefined => new RegExp(`${name}="?([^",]+)"?`, 'i').exec(header)?.[1];

export class SipProbe {
  private waiting = new Map<string, (answer: SipAnswer) => void>();
  private seq = 0;

  private constructor(
    private readonly socket: Socket,
    readonly localIp: string,
    readonly localPort: number,
    private readonly target: { host: string; port: number },
  ) {
    socket.on('message', (message) => {
      const text = message.toString('utf8');
      const status = /^SIP\/2\.0 (\d{3})/.exec(text);
      const callId = /^Call-ID:\s*(\S+)/im.exec(text)?.[1];
      const cseq = /^CSeq:\s*(\d+)/im.exec(text)?.[1];
      if (!status || !callId || !cseq || Number(status[1]) < 200) return;
      this.waiting.get(`${callId} ${cseq}`)?.({ status: Number(status[1]), headers: text });
    });
  }

  static open(localIp: string, target: string): Promise<SipProbe> {
    const [host = '', port = '5060'] = target.split(':');
    const socket = createSocket('udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, localIp, () => resolve(new SipProbe(socket, localIp, socket.address().port, { host, port: Number(port) })));
    });
  }

  // Sends one request and waits up to timeoutMs for its final answer (undefined: none came).
  request(options: { method: string; ruri?: string; user?: string; callId?: string; cseq?: number; headers?: string[]; timeoutMs?: number }): Promise<SipAnswer | undefined> {
    const callId = options.callId ?? `${randomBytes(8).toString('hex')}@${this.localIp}`;
    const cseq = options.cseq ?? 1;
    const user = options.user ?? 'probe';
    const ruri = options.ruri ?? `sip:${this.target.host}:${this.target.port}`;
    const domain = ruri.replace(/^sip:([^@]*@)?/, '').replace(/[:;].*$/, '');
    const message = [
      `${options.method} ${ruri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.localIp}:${this.localPort};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
      `From: <sip:${user}@${domain}>;tag=${randomBytes(4).toString('hex')}`,
      `To: <sip:${user}@${domain}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${options.method}`,
      `Contact: <sip:${user}@${this.localIp}:${this.localPort}>`,
      'Max-Forwards: 70',
      ...(options.method === 'REGISTER' ? ['Expires: 60'] : []),
      ...(options.headers ?? []),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    const key = `${callId} ${cseq}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        resolve(undefined);
      }, options.timeoutMs ?? 1000);
      this.waiting.set(key, (answer) => {
        clearTimeout(timer);
        this.waiting.delete(key);
        resolve(answer);
      });
      this.socket.send(message, this.target.port, this.target.host);
    });
  }

  // A REGISTER with digest credentials, as a phone does (challenge, then the answer with this
  // password): the final status of the authenticated try, or undefined if either step went unanswered.
  async register(username: string, password: string, timeoutMs = 1000): Promise<number | undefined> {
    const callId = `${randomBytes(8).toString('hex')}@${this.localIp}`;
    const ruri = `sip:${this.target.host}:${this.target.port}`;
    const challenge = await this.request({ method: 'REGISTER', ruri, user: username, callId, cseq: ++this.seq, timeoutMs });
    if (!challenge || challenge.status !== 401) return challenge?.status;
    const header = /^WWW-Authenticate:\s*(.*)$/im.exec(challenge.headers)?.[1] ?? '';
    const realm = param(header, 'realm') ?? '';
    const nonce = param(header, 'nonce') ?? '';
    const opaque = param(header, 'opaque');
    const qop = /qop="?[^"]*auth/i.test(header);
    const cnonce = randomBytes(8).toString('hex');
    const ha1 = md5(`${username}:${realm}:${password}`);
    const ha2 = md5(`REGISTER:${ruri}`);
    const response = qop ? md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
    const authorization =
      `Authorization: Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${ruri}", response="${response}", algorithm=MD5` +
      (qop ? `, qop=auth, nc=00000001, cnonce="${cnonce}"` : '') +
      (opaque ? `, opaque="${opaque}"` : '');
    const answer = await this.request({ method: 'REGISTER', ruri, user: username, callId, cseq: ++this.seq, headers: [authorization], timeoutMs });
    return answer?.status;
  }

  // `count` OPTIONS sent at once, no answer awaited.
  burst(count: number): void {
    for (let i = 0; i < count; i++) {
      const message = `OPTIONS sip:${this.target.host}:${this.target.port} SIP/2.0\r\nVia: SIP/2.0/UDP ${this.localIp}:${this.localPort};branch=z9hG4bKb${i}${randomBytes(3).toString('hex')}\r\nFrom: <sip:flood@${this.localIp}>;tag=${i}\r\nTo: <sip:${this.target.host}>\r\nCall-ID: burst-${i}-${randomBytes(4).toString('hex')}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
      this.socket.send(message, this.target.port, this.target.host);
    }
  }

  close(): void {
    this.socket.close();
  }
}

// Another source address on this host (on the fleet's bridge), for an attacker that must not be
// the address the other fleet tests' phones use. Removed again by the returned function.
export function addHostAddress(address: string, device: string): () => void {
  const ip = (args: string[]): void => {
    const [command, ...rest] = process.getuid?.() === 0 ? ['ip', ...args] : ['sudo', '-n', 'ip', ...args];
    execFileSync(command ?? 'ip', rest, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  try {
    ip(['addr', 'add', `${address}/24`, 'dev', device]);
  } catch (error) {
    // Left by an earlier run that stopped half-way: it is ours to reuse.
    if (!String((error as { stderr?: Buffer }).stderr ?? '').includes('File exists')) throw error;
  }
  return () => ip(['addr', 'del', `${address}/24`, 'dev', device]);
}
