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
    async stop(): Promise<UdpFlow[]> {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGINT');
      await exited;
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

export function packetsTo(flows: UdpFlow[], port: number): number {
  return flows.filter((flow) => flow.dstPort === port).reduce((sum, flow) => sum + flow.packets, 0);
}

export function packetsFrom(flows: UdpFlow[], port: number): number {
  return flows.filter((flow) => flow.srcPort === port).reduce((sum, flow) => sum + flow.packets, 0);
}
