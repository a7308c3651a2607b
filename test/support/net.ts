import { type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

function udpPortsBound(): Set<number> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const port = local?.split(':')[1];
      if (port) ports.add(parseInt(port, 16));
    }
  }
  return ports;
}

// Waits until a process has bound this UDP port (so a SIP peer is ready to receive).
export async function waitForUdpPort(port: number, timeoutMs: number, process?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (udpPortsBound().has(port)) return;
    if (process && process.exitCode !== null) throw new Error(`process exited (${process.exitCode}) before binding udp ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`nothing bound udp port ${port} within ${timeoutMs} ms`);
}

// An explicit TEST_PORT_BASE is used as given (a stack of its own, e.g. a second checkout's);
// otherwise the pid spreads concurrent test processes apart.
let nextPort = process.env.TEST_PORT_BASE ? Number(process.env.TEST_PORT_BASE) : 40000 + (process.pid % 100) * 40;

// Ports for SIP and media of test devices: steps of 4 (RTP, RTCP and sipp's echo ports).
export function allocatePorts(): { sip: number; media: number } {
  const sip = nextPort;
  nextPort += 4;
  return { sip, media: sip + 10000 };
}
