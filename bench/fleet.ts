// bench/fleet: calls through the netns fleet's edge (scripts/fleet.sh), run by bench/fleet.
// 1. Calls/s sustained and set-up p50/p99 with one node (node-2 out of the edge's dispatcher) and
//    with two, stepping the rate; a step is sustained when every call was answered.
// 2. edge_added_p50: the caller's set-up through the edge minus the same calls sent straight to a
//    node (sipp in the edge's namespace, the one source a node's ACL admits) at the same rate. The
//    callee's leg goes through the edge both times (its Path), so this is one edge hop's cost.
// 3. CPU per call per component (edge, Asterisk, controller, core: PostgreSQL, Redis, NATS, admin
//    API) from /proc over the two-node step at the lowest rate (every call answered there).
// The last lines printed are the headline figures ("name: value unit").
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { answersThroughEdge, createFleetUser, fleetApi, fleetDevice, fleetEnv, fleetNamespace, registerThroughEdge, type FleetDevice } from '../test/support/fleet';
import { runSipp, type SippResult } from '../test/support/sipp';
import { uacCallScenario } from '../test/support/sipp/scenarios';

const RATES = (process.env.FLEET_BENCH_RATES ?? '5 10 15').split(/\s+/).filter(Boolean).map(Number);
const STEP_SECONDS = Number(process.env.FLEET_BENCH_STEP_SECONDS ?? '10');
const HOLD_MS = Number(process.env.FLEET_BENCH_HOLD_MS ?? '1000');
const PROJECT_ROOT = join(__dirname, '..');
const CLK_TCK = 100;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

// Per Call-ID: from the first INVITE sent to the 200 OK received (challenge round trip included).
function setupTimes(result: SippResult): { setups: number[]; answered: number; calls: number } {
  const blocks = result.trace.split(/-{20,} /).slice(1);
  const first = new Map<string, number>();
  const ok = new Map<string, number>();
  for (const block of blocks) {
    const at = Date.parse(`${(block.match(/^(\d{4}-\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+)/)?.[1] ?? '').replace(/\s+/, 'T')}Z`);
    const callId = block.match(/\nCall-ID:\s*(\S+)/i)?.[1];
    if (!callId || Number.isNaN(at)) continue;
    const sent = /message sent/.test(block);
    const line = block.split('\n').find((l) => /^(INVITE |SIP\/2\.0 )/.test(l.trim()))?.trim() ?? '';
    if (sent && line.startsWith('INVITE ') && !first.has(callId)) first.set(callId, at);
    if (!sent && line.startsWith('SIP/2.0 200') && /CSeq:\s*\d+ INVITE/i.test(block) && !ok.has(callId)) ok.set(callId, at);
  }
  const setups = [...ok.entries()].filter(([id]) => first.has(id)).map(([id, at]) => at - (first.get(id) ?? at)).sort((a, b) => a - b);
  return { setups, answered: ok.size, calls: first.size };
}

function step(dev: FleetDevice, dialed: string, rate: number, seconds: number, port: number, straight?: string): Promise<SippResult> {
  const calls = Math.round(rate * seconds);
  return runSipp({
    scenario: uacCallScenario({ hangup: 'caller', holdMs: HOLD_MS, audio: false, routed: true }),
    target: straight ?? fleetEnv.edgeTarget,
    localIp: straight ? fleetEnv.edgeIp : fleetEnv.hostIp,
    ...(straight ? { prefix: ['ip', 'netns', 'exec', fleetNamespace('edge')] } : {}),
    localPort: port,
    service: dialed,
    auth: { username: dev.username, password: dev.password },
    variables: { caller: dev.username },
    calls,
    rate,
    timeoutSeconds: seconds + 60,
    extraArgs: ['-l', String(Math.max(10, rate * 4))],
  }).done;
}

// A step starts with no call of the last one left (a failed step leaves calls ringing out their
// timeouts, which would weigh on the next one).
async function drained(username: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  await new Promise((resolve) => setTimeout(resolve, HOLD_MS + 1000));
  while (Date.now() < deadline) {
    const calls = (await fleetApi('GET', `/v1/calls?user=${username}`)).body.calls as unknown[] | undefined;
    if ((calls ?? []).length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  console.log('calls of the last step still live after 60 s');
}

function kamcmd(...args: string[]): void {
  execFileSync('kamcmd', ['-s', `unix:${join(PROJECT_ROOT, '.local', 'fleet', 'edge', 'run', 'kamailio_ctl')}`, ...args], { stdio: 'ignore' });
}
const nodeUri = (node: string): string => `sip:${fleetEnv.nodeIp(node)}:5080`;

// CPU seconds (user + system) of every process in a namespace, split by program.
function cpuByComponent(): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const host of ['edge', 'node-1', 'node-2', 'core']) {
    let pids: string[] = [];
    try {
      pids = execFileSync('ip', ['netns', 'pids', fleetNamespace(host)], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
    } catch {
      continue;
    }
    for (const pid of pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const seconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const program = /asterisk/.test(comm) ? 'asterisk' : /node|MainThread/.test(comm) ? 'controller' : comm.replace(/[^a-z-].*$/, '');
        const component = host === 'edge' ? 'edge' : host === 'core' ? (program === 'controller' ? 'admin-api' : `core-${program}`) : program;
        totals[component] = (totals[component] ?? 0) + seconds;
      } catch {
        // the process ended meanwhile
      }
    }
  }
  return totals;
}

async function main(): Promise<void> {
  const [caller, callee] = await Promise.all([createFleetUser('benchfa'), createFleetUser('benchfb')]);
  const callerDevice = fleetDevice(caller);
  const calleeDevice = fleetDevice(callee);
  await registerThroughEdge(callerDevice);
  await registerThroughEdge(calleeDevice, 3600);
  const maxCalls = RATES.reduce((sum, rate) => sum + rate * STEP_SECONDS, 0) * 2 + 40 * STEP_SECONDS;
  const answering = await answersThroughEdge(calleeDevice, { kind: 'answer', ringMs: 0 }, maxCalls, 3600);
  let port = callerDevice.sipPort + 10;
  const headline: string[] = [];
  const sustained: Record<string, number> = {};
  const p50: Record<string, number> = {};
  const p99: Record<string, number> = {};
  let cpu: { before: Record<string, number>; after: Record<string, number>; calls: number } | undefined;
  try {
    for (const nodes of [1, 2]) {
      if (nodes === 1) kamcmd('dispatcher.set_state', 'ip', '1', nodeUri('node-2'));
      else kamcmd('dispatcher.set_state', 'ap', '1', nodeUri('node-2'));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      for (const rate of RATES) {
        const before = nodes === 2 && rate === RATES[0] ? cpuByComponent() : undefined;
        const result = await step(callerDevice, callee.username, rate, STEP_SECONDS, (port += 2));
        const times = setupTimes(result);
        if (before) cpu = { before, after: cpuByComponent(), calls: times.answered };
        const ok = times.calls > 0 && times.answered === times.calls;
        console.log(`nodes=${nodes} rate=${rate}/s calls=${times.calls} answered=${times.answered} setup p50=${percentile(times.setups, 50)} ms p99=${percentile(times.setups, 99)} ms`);
        if (ok) {
          sustained[nodes] = rate;
          p50[nodes] = percentile(times.setups, 50);
          p99[nodes] = percentile(times.setups, 99);
        }
        await drained(caller.username);
      }
    }
    // The edge's own cost: the same rate through the edge and straight to node-1.
    kamcmd('dispatcher.set_state', 'ip', '1', nodeUri('node-2'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const rate = RATES[0] ?? 10;
    const through = setupTimes(await step(callerDevice, callee.username, rate, STEP_SECONDS, (port += 2)));
    await drained(caller.username);
    const straight = setupTimes(await step(callerDevice, callee.username, rate, STEP_SECONDS, (port += 2), `${fleetEnv.nodeIp('node-1')}:5080`));
    kamcmd('dispatcher.set_state', 'ap', '1', nodeUri('node-2'));
    console.log(`edge: through p50=${percentile(through.setups, 50)} ms (${through.answered}/${through.calls}), straight p50=${percentile(straight.setups, 50)} ms (${straight.answered}/${straight.calls})`);
    headline.push(`calls_per_second_1_node: ${sustained[1] ?? 0} calls/s`, `setup_p50_1_node: ${p50[1] ?? NaN} ms`, `setup_p99_1_node: ${p99[1] ?? NaN} ms`);
    headline.push(`calls_per_second_2_nodes: ${sustained[2] ?? 0} calls/s`, `setup_p50_2_nodes: ${p50[2] ?? NaN} ms`, `setup_p99_2_nodes: ${p99[2] ?? NaN} ms`);
    if (cpu && cpu.calls > 0) {
      for (const component of Object.keys(cpu.after).sort()) {
        const ms = (((cpu.after[component] ?? 0) - (cpu.before[component] ?? 0)) * 1000) / cpu.calls;
        headline.push(`cpu_per_call_${component}: ${ms.toFixed(2)} ms`);
      }
    }
    headline.push(`edge_added_p50: ${(percentile(through.setups, 50) - percentile(straight.setups, 50)).toFixed(1)} ms`);
  } finally {
    kamcmd('dispatcher.set_state', 'ap', '1', nodeUri('node-2'));
    answering.kill();
    await answering.done;
  }
  for (const line of headline) console.log(line);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
