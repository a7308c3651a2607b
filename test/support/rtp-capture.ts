import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface UdpFlow {
  srcPort: number;
  dstPort: number;
  packets: number;
}

// Captures UDP on the loopback interface (tshark) to prove media really flowed, and which way.
export async function captureUdp(ports: number[]): Promise<{ stop(): Promise<UdpFlow[]> }> {
  const capture = await startCapture(ports);
  return {
    async stop(): Promise<UdpFlow[]> {
      const file = await capture.stop();
      const fields = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'udp.srcport', '-e', 'udp.dstport'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      const counts = new Map<string, number>();
      for (const line of fields.split('\n').filter(Boolean)) counts.set(line, (counts.get(line) ?? 0) + 1);
      return [...counts].map(([key, packets]) => {
        const [src, dst] = key.split('\t').map(Number);
        return { srcPort: src ?? 0, dstPort: dst ?? 0, packets };
      });
    },
  };
}

export interface UdpPacket {
  // ms since the epoch, as captured
  at: number;
  srcPort: number;
  dstPort: number;
  // For a packet on one of the SIP ports given: the request's method (e.g. BYE), if a request.
  sipMethod?: string;
}

// The same capture packet by packet, with the time of each: when media or a SIP request arrived.
export async function capturePackets(ports: number[], sipPorts: number[] = []): Promise<{ stop(): Promise<UdpPacket[]> }> {
  const capture = await startCapture([...ports, ...sipPorts]);
  return {
    async stop(): Promise<UdpPacket[]> {
      const file = await capture.stop();
      const decodeAs = sipPorts.flatMap((port) => ['-d', `udp.port==${port},sip`]);
      const fields = execFileSync('tshark', ['-r', file, ...decodeAs, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'sip.Method'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      return fields
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [at = '', src = '', dst = '', method = ''] = line.split('\t');
          return { at: Math.round(Number(at) * 1000), srcPort: Number(src), dstPort: Number(dst), ...(method ? { sipMethod: method } : {}) };
        });
    },
  };
}

async function startCapture(ports: number[]): Promise<{ stop(): Promise<string> }> {
  const file = join(mkdtempSync(join(tmpdir(), 'rtp-')), 'capture.pcap');
  const filter = `udp and (${ports.map((port) => `port ${port}`).join(' or ')})`;
  const child = spawn('tshark', ['-i', 'lo', '-f', filter, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tshark did not start: ${stderr}`)), 10_000);
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

export function packetsTo(flows: UdpFlow[], port: number): number {
  return flows.filter((flow) => flow.dstPort === port).reduce((sum, flow) => sum + flow.packets, 0);
}

export function packetsFrom(flows: UdpFlow[], port: number): number {
  return flows.filter((flow) => flow.srcPort === port).reduce((sum, flow) => sum + flow.packets, 0);
}
