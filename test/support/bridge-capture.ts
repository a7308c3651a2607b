import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A tshark capture on an interface (the fleet's bridge: the edge's public side, where phones, the
// edge and the nodes' RTP meet), read back frame by frame.
export async function startBridgeCapture(iface: string, filter: string): Promise<{ stop(): Promise<string> }> {
  const file = join(mkdtempSync(join(tmpdir(), 'bridge-')), 'capture.pcap');
  const child = spawn('tshark', ['-i', iface, '-f', filter, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tshark did not start: ${stderr}`)), 15_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('Capturing on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`tshark exited ${code}: ${stderr}`)));
  });
  return {
    async stop(): Promise<string> {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGINT');
      await exited;
      return file;
    },
  };
}

function fields(file: string, displayFilter: string, names: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', file, '-Y', displayFilter, '-T', 'fields', ...names.flatMap((name) => ['-e', name])], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 }).toString();
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
}

// Frames whose bytes hold SIP in clear (a request or status line, or a SIP URI) of the given users,
// on any port (other devices on the same host may talk plain SIP meanwhile).
export function cleartextSipFrames(file: string, names: string[]): number {
  const named = names.map((name) => `frame contains "${name}"`).join(' || ');
  return fields(file, `(frame contains "SIP/2.0" || frame contains "sip:") && (${named})`, ['frame.number']).length;
}

export function framesCount(file: string, displayFilter: string): number {
  return fields(file, displayFilter, ['frame.number']).length;
}

// UDP payloads sent from one address to another, of at least minBytes: the media of a call.
export function udpPayloads(file: string, from: string, to: string, minBytes = 100): Buffer[] {
  return fields(file, `udp && ip.src==${from} && ip.dst==${to} && udp.length >= ${minBytes + 8}`, ['udp.payload'])
    .map(([hex]) => Buffer.from((hex ?? '').replace(/:/g, ''), 'hex'))
    .filter((payload) => payload.length >= minBytes);
}

export function sdpLinesSeen(file: string, prefix: string): number {
  return fields(file, `frame contains "${prefix}"`, ['frame.number']).length;
}

// G.711 mu-law byte to linear sample.
function ulaw(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

// Share of an RTP packet's G.711 (mu-law) payload energy at a frequency (Goertzel over its 160
// samples, 20 ms at 8 kHz): near 1 for the tone in clear, near 0 for noise or SRTP ciphertext.
export function toneShare(rtp: Buffer, hz: number): number {
  const samples: number[] = [];
  for (let i = 12; i < Math.min(rtp.length, 12 + 160); i += 1) samples.push(ulaw(rtp[i] ?? 0));
  const n = samples.length;
  const mean = samples.reduce((sum, x) => sum + x, 0) / n;
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (const raw of samples) {
    const x = raw - mean;
    energy += x * x;
    const s0 = x + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  if (energy === 0) return 0;
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return (2 * power) / (n * energy);
}

// How many of the packets carry the tone in clear.
export function packetsWithTone(payloads: Buffer[], hz: number): number {
  return payloads.filter((payload) => toneShare(payload, hz) > 0.5).length;
}
