// Bytes of Redis memory per live call, as RedisCallStore stores it, against the same calls stored as
// plain JSON in the same run. Started by bench/call-state-size. Runs its own throwaway redis-server
// (free port, temp dir, no persistence) and stops it at the end. Synthetic calls are generated from a
// fixed seed, so two runs store the same bytes. Results are explained in bench/RESULTS.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { Call, type CallSnapshot, type Leg, type Party } from '../app/call-state/call';
import { encodeCall } from '../app/call-state/call-codec';
import { RedisCallStore } from '../app/call-state/redis-call-store';
import { type CallId } from '../app/shared/kernel';

type Redis = ReturnType<typeof createClient>;

const CALLS = Number(process.env.CALL_STATE_CALLS ?? 100_000);
const DESIGN_ESTIMATE = 400;
const TTL_SECONDS = 6 * 3600;
const CONCURRENCY = 2000;
const progress = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

// ---------------------------------------------------------------- synthetic calls
// mulberry32: a small seeded generator, so every run stores the same calls.
let seed = 0x5eed_2026;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
const digits = (n: number): string => Array.from({ length: n }, () => int(0, 9)).join('');
const hex = (n: number): string => Array.from({ length: n }, () => int(0, 15).toString(16)).join('');
const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;

const FIRST = ['alice', 'bob', 'carol', 'dmitri', 'emma', 'farid', 'giulia', 'hiroshi', 'ines', 'jamal', 'katarzyna', 'liam', 'mei', 'nikolai', 'olga', 'pedro', 'quentin', 'rania', 'sven', 'tatiana', 'umar', 'valentina', 'wei', 'ximena', 'yusuf', 'zoe'];
const LAST = ['martin', 'nguyen', 'smith', 'garcia', 'muller', 'rossi', 'kowalski', 'tanaka', 'okafor', 'dubois', 'silva', 'johansson', 'ivanova', 'khan', 'oconnor', 'fernandez'];
// E.164 shapes of the countries most users call from: US, UK mobile, France, Germany, India, Brazil.
const NUMBER_SHAPES = [() => `+1${int(201, 989)}${int(200, 999)}${digits(4)}`, () => `+447${digits(9)}`, () => `+336${digits(8)}`, () => `+49151${digits(8)}`, () => `+919${digits(9)}`, () => `+55119${digits(8)}`];

function username(): string {
  const [first, last] = [pick(FIRST), pick(LAST)];
  return pick([`${first}.${last}`, `${first[0]}${last}${int(1, 99)}`, `${first}_${last}`, `${first}${int(1970, 2005)}`]);
}

const users: Party[] = Array.from({ length: 20_000 }, () => ({ userId: uuid(), username: username(), phoneNumber: pick(NUMBER_SHAPES)() }));

// A registered device as PJSIP records it: public NAT address and port; some softphones add a
// rinstance parameter (those contacts are stored as plain strings).
function contactOf(user: Party): string {
  const host = `${pick(['203.0.113', '198.51.100', '192.0.2', `100.${int(64, 127)}.${int(0, 255)}`])}.${int(1, 254)}`;
  const port = int(1024, 65535);
  if (random() < 0.2) return `sip:${user.username}@${host}:${port};rinstance=${hex(16)};transport=UDP`;
  return `sip:${user.username}@${host}:${port};transport=${pick(['udp', 'udp', 'udp', 'tcp', 'tls'])}`;
}

let channelSequence = 0;
// 60% answered, 30% ringing (two devices), 10% routing; 5% of them to the PSTN through a carrier.
function syntheticCall(now: number): Call {
  const caller = pick(users);
  const requestedAt = now - int(0, 3_600_000);
  const channelId = `${Math.floor(requestedAt / 1000)}.${++channelSequence}`;
  const pstn = random() < 0.05;
  const callee = pstn ? undefined : pick(users);
  const dialed = callee ? (random() < 0.6 ? callee.username : callee.phoneNumber) : pick(NUMBER_SHAPES)();
  const call = Call.start(uuid() as CallId, { ...caller, channelId }, dialed, new Date(requestedAt));
  const routedAt = requestedAt + int(3, 40);
  call.apply((state) => state.route(), new Date(routedAt));
  call.callee = callee;
  call.ringDeadline = routedAt + 30_000;
  const carrierId = pstn ? pick(['carrier-a', 'carrier-b']) : undefined;
  call.carrierId = carrierId;
  const legs: Leg[] = callee
    ? [0, 1].map((): Leg => ({ channelId: uuid(), contactUri: contactOf(callee), state: { name: 'dialing' }, invitedAt: routedAt + int(1, 5) }))
    : [{ channelId: uuid(), contactUri: `sip:${dialed}@sip.${carrierId}.example.net`, carrierId, state: { name: 'dialing' }, invitedAt: routedAt + int(1, 5) }];
  call.legs.push(...legs);
  const kind = random();
  if (kind < 0.1) return call;
  const ringingAt = routedAt + int(80, 900);
  call.apply((state) => state.ring(), new Date(ringingAt));
  for (const leg of legs) Object.assign(leg, { progressAt: ringingAt + int(0, 300), state: { name: 'ringing' } });
  // A carrier's 183: its leg progresses and the caller hears its early media (the phase's data).
  const [carrierLeg] = legs;
  if (pstn && carrierLeg) {
    carrierLeg.state = { name: 'progressing' };
    call.apply((state) => state.withEarlyMedia([channelId, carrierLeg.channelId]), new Date(ringingAt));
  }
  if (kind < 0.4) return call;
  const [winner, ...losers] = legs;
  call.apply((state) => state.answer(winner?.channelId ?? ''), new Date(ringingAt + int(1500, 20_000)));
  if (winner) winner.state = { name: 'answered' };
  for (const loser of losers) loser.state = { name: 'cancelled', released: true };
  return call;
}

// ---------------------------------------------------------------- redis
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startRedis(dir: string): Promise<{ process: ChildProcess; client: Redis }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', join(dir, 'redis.log')], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return { process: child, client };
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start (see ${dir}/redis.log)`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

interface Memory {
  used: number;
  // Bytes MEMORY STATS counts for db 0's key table (entries, value object headers, buckets) and TTL table.
  main: number;
  expires: number;
  clients: number;
}

async function memory(redis: Redis): Promise<Memory> {
  const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  const stats = await redis.sendCommand<unknown[]>(['MEMORY', 'STATS']);
  // "db.0" is there once the database holds a key: [name, value, ...] of its hash tables.
  const db0 = stats.includes('db.0') ? stats[stats.indexOf('db.0') + 1] : undefined;
  const inDb = (name: string): number => (Array.isArray(db0) ? Number(db0[db0.indexOf(name) + 1]) : 0);
  return { used, main: inDb('overhead.hashtable.main'), expires: inDb('overhead.hashtable.expires'), clients: Number(stats[stats.indexOf('clients.normal') + 1]) };
}

// Stores every call and returns the memory it took, per call. The connection's buffers grow during
// the burst and Redis gives them back after a few idle seconds: the figure is taken once they are
// (what is left is printed as client_buffers_left_per_call).
async function measure(redis: Redis, name: string, write: (call: Call) => Promise<unknown>, calls: Call[]): Promise<Memory> {
  await redis.flushAll();
  const before = await memory(redis);
  const started = Date.now();
  for (let start = 0; start < calls.length; start += CONCURRENCY) await Promise.all(calls.slice(start, start + CONCURRENCY).map(write));
  const writeMs = Date.now() - started;
  let after = await memory(redis);
  for (let waited = 0; after.clients > before.clients + 64 * 1024 && waited < 10_000; waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    after = await memory(redis);
  }
  progress(`${name}: ${calls.length} calls written in ${writeMs} ms`);
  const perCall = (key: keyof Memory): number => (after[key] - before[key]) / calls.length;
  return { used: perCall('used'), main: perCall('main'), expires: perCall('expires'), clients: perCall('clients') };
}

// What jemalloc really hands out for a request of n bytes: its size classes (8, 16, 32, 48, ... 128,
// then four classes per doubling: 160, 192, 224, 256, 320, ...).
function sizeClass(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const step = 2 ** Math.floor(Math.log2(n - 1)) / 4;
  return Math.ceil(n / step) * step;
}
// A Redis string (SDS) of n bytes: header (3 bytes up to 255, 5 up to 65535) + n + NUL.
const sdsBytes = (n: number): number => sizeClass((n < 256 ? 3 : 5) + n + 1);
const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
const bytes = (value: number): string => `${value.toFixed(1)} B`;

// Where the bytes of one call go, from the allocation sizes of Redis 7.0's structures: a key table
// entry (dictEntry, 24 bytes asked, 32 given) with its share of the bucket array, a value object
// header (robj, 16), the key and value strings, and the same entry and bucket share in the TTL table.
// MEMORY STATS counts entries at 24 bytes, so its bucket arrays are what is taken from it.
function breakdown(measured: Memory, keyLengths: number[], valueLengths: number[]): [string, number][] {
  const keyBuckets = measured.main - 24 - 16;
  const ttlBuckets = measured.expires - 24;
  const parts: [string, number][] = [
    ['model_key_entry', 32 + keyBuckets],
    ['model_value_object', 16],
    ['model_key_string', mean(keyLengths.map(sdsBytes))],
    ['model_value_string', mean(valueLengths.map(sdsBytes))],
    ['model_ttl_entry', 32 + ttlBuckets],
  ];
  return [...parts, ['model_bytes_per_call', parts.reduce((sum, [, value]) => sum + value, 0)]];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'call-state-size-'));
  const { process: server, client: redis } = await startRedis(dir);
  try {
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
    progress(`redis-server ${version} (pid ${server.pid}) in ${dir}; generating ${CALLS} calls`);
    const now = Date.parse('2026-11-25T12:00:00Z');
    const calls = Array.from({ length: CALLS }, () => syntheticCall(now));
    const encoded = calls.map((call) => encodeCall(call.snapshot()).length).sort((a, b) => a - b);
    const json = calls.map((call) => Buffer.byteLength(JSON.stringify(call.snapshot()))).sort((a, b) => a - b);
    const states = calls.reduce<Record<string, number>>((count, call) => ({ ...count, [call.state.name]: (count[call.state.name] ?? 0) + 1 }), {});
    progress(`states: ${JSON.stringify(states)}`);

    const prefix = 'call:';
    const store = new RedisCallStore(redis, { instanceId: 'bench', ttlSeconds: TTL_SECONDS, keyPrefix: prefix });
    const binary = await measure(redis, 'binary (RedisCallStore.save)', (call) => store.save(call), calls);
    // What a controller taking over after a restart reads: every live call.
    const readStarted = Date.now();
    const live = await store.liveCalls();
    const readMs = Date.now() - readStarted;
    if (live.length !== CALLS) throw new Error(`liveCalls() returned ${live.length} of ${CALLS} calls`);
    // The same key length and TTL, the value as JSON: only the encoding differs.
    const asJson = await measure(redis, 'json (SET EX)', (call) => redis.set(`json:${call.id}`, JSON.stringify(call.snapshot() satisfies CallSnapshot), { expiration: { type: 'EX', value: TTL_SECONDS } }), calls);

    console.log(`redis_version: ${version}`);
    console.log(`encoded_value_mean: ${bytes(mean(encoded))}`);
    console.log(`encoded_value_p95: ${percentile(encoded, 0.95)} B`);
    console.log(`encoded_value_max: ${encoded[encoded.length - 1]} B`);
    console.log(`json_value_p50: ${percentile(json, 0.5)} B`);
    for (const [name, value] of breakdown(binary, calls.map((call) => prefix.length + call.id.length), encoded)) console.log(`${name}: ${bytes(value)}`);
    console.log(`client_buffers_left_per_call: ${bytes(binary.clients)}`);
    console.log(`live_calls_read: ${readMs} ms`);
    console.log(`calls: ${CALLS}`);
    console.log(`bytes_per_call: ${Math.round(binary.used)} B`);
    console.log(`encoded_value_p50: ${percentile(encoded, 0.5)} B`);
    console.log(`design_estimate: ${DESIGN_ESTIMATE} B`);
    console.log(`ratio_to_estimate: ${(binary.used / DESIGN_ESTIMATE).toFixed(2)}`);
    console.log(`json_bytes_per_call: ${Math.round(asJson.used)} B`);
    console.log(`saving_vs_json: ${(1 - binary.used / asJson.used).toFixed(2)}`);
  } finally {
    await redis.quit().catch(() => undefined);
    await stopRedis(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function stopRedis(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
