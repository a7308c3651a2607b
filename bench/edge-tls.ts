// bench/edge-tls: registrations and calls per second through the fleet's edge over SIP/TLS (5061,
// SDES-SRTP offers) and over UDP (5060, plain RTP offers), in the same run, and the CPU each costs
// the edge, the switch nodes' Asterisk and their controllers. Needs a running fleet
// (scripts/fleet.sh up 2, FLEET_TAG as for it) and root (to read the namespaces' processes).
// A minimal SIP user agent of its own (digest auth, INVITE/ACK/BYE, an answering callee): Debian's
// sipp has no TLS, and baresip costs a process per phone. No RTP is sent (the calls are signalling:
// setup and teardown are what TLS and SRTP change).
// Knobs: EDGE_TLS_USERS=100 (registrations per transport), EDGE_TLS_CALLS=60, EDGE_TLS_CONCURRENCY=6,
// EDGE_TLS_CONNECTIONS=10 (TLS connections the registrations share).
// The last lines printed are the headline figures, "name: value unit".
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SipClient, type Transport } from './lib/sip-client';
import { createFleetUser, fleetEnv, fleetNamespace, type FleetUser } from '../test/support/fleet';

const USERS = Number(process.env.EDGE_TLS_USERS ?? 100);
const CALLS = Number(process.env.EDGE_TLS_CALLS ?? 60);
const CONCURRENCY = Number(process.env.EDGE_TLS_CONCURRENCY ?? 6);
const CONNECTIONS = Number(process.env.EDGE_TLS_CONNECTIONS ?? 10);
const CA = readFileSync(join(__dirname, '..', '.local', 'certs', 'ca.crt'));

// CPU seconds of the processes of a fleet host, optionally only those named `comm`.
function cpuOf(host: string, comm?: string): number {
  const ticks = 100;
  let total = 0;
  const pids = execFileSync('ip', ['netns', 'pids', fleetNamespace(host)], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const pid of pids) {
    try {
      if (comm && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== comm) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      // a process that ended meanwhile
    }
  }
  return total;
}
const cpuNow = (): { edge: number; asterisk: number; controllers: number } => ({
  edge: cpuOf('edge'),
  asterisk: cpuOf('node-1', 'asterisk') + cpuOf('node-2', 'asterisk'),
  controllers: cpuOf('node-1', 'node') + cpuOf('node-2', 'node'),
});

async function pool<T>(items: T[], width: number, run: (item: T, index: number) => Promise<boolean>): Promise<{ ok: number; seconds: number }> {
  let next = 0;
  let ok = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        if (await run(items[index] as T, index).catch(() => false)) ok += 1;
      }
    }),
  );
  return { ok, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

interface Phase { ok: number; total: number; perSecond: number; cpuMs: { edge: number; asterisk: number; controllers: number } }

async function measure(total: number, width: number, run: (index: number) => Promise<boolean>): Promise<Phase> {
  const before = cpuNow();
  const { ok, seconds } = await pool(Array.from({ length: total }, (_, i) => i), width, (_, i) => run(i));
  const after = cpuNow();
  const per = (a: number, b: number): number => (ok > 0 ? ((b - a) * 1000) / ok : NaN);
  return { ok, total, perSecond: ok / seconds, cpuMs: { edge: per(before.edge, after.edge), asterisk: per(before.asterisk, after.asterisk), controllers: per(before.controllers, after.controllers) } };
}

async function transportRun(transport: Transport, users: FleetUser[], callers: FleetUser[], callee: FleetUser, portBase: number): Promise<{ reg: Phase; calls: Phase }> {
  const clients = Array.from({ length: transport === 'tls' ? CONNECTIONS : 1 }, (_, i) => new SipClient({ transport, edgeIp: fleetEnv.edgeIp, localIp: fleetEnv.hostIp, localPort: portBase + i, ca: CA }));
  await Promise.all(clients.map((client) => client.open()));
  const reg = await measure(users.length, CONCURRENCY * 4, async (i) => {
    const user = users[i] as FleetUser;
    return (await (clients[i % clients.length] as SipClient).register(user.username, user.password, 600)) === 200;
  });
  const answering = new SipClient({ transport, edgeIp: fleetEnv.edgeIp, localIp: fleetEnv.hostIp, localPort: portBase + 50, ca: CA });
  await answering.open();
  answering.answerCalls(callee.username, transport === 'tls');
  if ((await answering.register(callee.username, callee.password, 600)) !== 200) throw new Error(`callee did not register over ${transport}`);
  const calls = await measure(CALLS, CONCURRENCY, async (i) => {
    const caller = callers[i % callers.length] as FleetUser;
    return (await (clients[i % clients.length] as SipClient).call(caller.username, caller.password, callee.username, { srtp: transport === 'tls', holdMs: 200 })) === 200;
  });
  await Promise.all([...clients, answering].map((client) => client.close()));
  return { reg, calls };
}

async function main(): Promise<void> {
  const made: FleetUser[] = [];
  const { ok } = await pool(Array.from({ length: USERS + 8 }, (_, i) => i), 8, async () => {
    made.push(await createFleetUser('benchtls'));
    return true;
  });
  if (ok < USERS + 8) throw new Error('could not create the users');
  const users = made.slice(0, USERS);
  const callers = made.slice(USERS, USERS + 6);
  const [calleeUdp, calleeTls] = made.slice(USERS + 6) as [FleetUser, FleetUser];
  const base = Number(process.env.TEST_PORT_BASE ?? 41500) + 600;
  // Same run, one after the other, UDP first then TLS, on the same fleet and users.
  const udp = await transportRun('udp', users, callers, calleeUdp, base);
  const tls = await transportRun('tls', users, callers, calleeTls, base + 100);
  const row = (name: string, p: Phase): string =>
    `${name}: ${p.ok}/${p.total} ok, ${p.perSecond.toFixed(1)}/s, CPU per op: edge ${p.cpuMs.edge.toFixed(2)} ms, asterisk ${p.cpuMs.asterisk.toFixed(2)} ms, controllers ${p.cpuMs.controllers.toFixed(2)} ms`;
  console.log(`machine: ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; registrations ${USERS}, calls ${CALLS}, concurrency ${CONCURRENCY}, TLS connections ${CONNECTIONS}`);
  console.log(row('udp registrations', udp.reg));
  console.log(row('tls registrations', tls.reg));
  console.log(row('udp calls', udp.calls));
  console.log(row('tls calls', tls.calls));
  const cpuPerCall = (p: Phase): number => p.cpuMs.edge + p.cpuMs.asterisk + p.cpuMs.controllers;
  console.log(`udp_registrations_per_s: ${udp.reg.perSecond.toFixed(1)} /s`);
  console.log(`tls_registrations_per_s: ${tls.reg.perSecond.toFixed(1)} /s`);
  console.log(`udp_calls_per_s: ${udp.calls.perSecond.toFixed(1)} /s`);
  console.log(`tls_calls_per_s: ${tls.calls.perSecond.toFixed(1)} /s`);
  console.log(`udp_cpu_per_call: ${cpuPerCall(udp.calls).toFixed(2)} ms`);
  console.log(`tls_cpu_per_call: ${cpuPerCall(tls.calls).toFixed(2)} ms`);
  console.log(`tls_edge_cpu_per_call: ${tls.calls.cpuMs.edge.toFixed(2)} ms`);
  console.log(`udp_edge_cpu_per_call: ${udp.calls.cpuMs.edge.toFixed(2)} ms`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
