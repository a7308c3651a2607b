import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createClient } from 'redis';
import { Call, type CallSnapshot } from '../../../app/call-state';
import { CorruptCallStateError } from '../../../app/call-state/call-codec';
import { RedisCallStore } from '../../../app/call-state/redis-call-store';
import { type PublishableEvent } from '../../../app/shared/events';
import { outboxKey, parseOutboxEntry } from '../../../app/shared/infra/outbox';
import { type CallId } from '../../../app/shared/kernel';
import { capturingLogger } from '../../support/fakes/capturing-logger';
import { testEnv } from '../../support/test-env';

type Redis = ReturnType<typeof createClient>;

const t0 = new Date('2026-11-25T10:00:00.000Z');

function answeredCall(n = 0): Call {
  const call = Call.start(randomUUID() as CallId, { userId: randomUUID(), username: `caller${n}`, phoneNumber: `+1415555${String(n % 10000).padStart(4, '0')}`, channelId: `1795600800.${n}` }, 'bob', t0);
  call.apply((state) => state.route(), new Date(t0.getTime() + 10));
  call.callee = { userId: randomUUID(), username: 'bob', phoneNumber: '+14155550102' };
  call.ringDeadline = t0.getTime() + 30_010;
  const legs = [randomUUID(), randomUUID()];
  for (const [i, channelId] of legs.entries()) call.legs.push({ channelId, contactUri: `sip:bob@198.51.100.${i + 1}:5062;transport=udp`, state: { name: 'dialing' }, invitedAt: t0.getTime() + 12 });
  call.apply((state) => state.ring(), new Date(t0.getTime() + 200));
  call.apply((state) => state.answer(legs[0] ?? ''), new Date(t0.getTime() + 3_000));
  Object.assign(call.legs[0] ?? {}, { state: { name: 'answered' }, progressAt: t0.getTime() + 200 });
  Object.assign(call.legs[1] ?? {}, { state: { name: 'cancelled', released: true } });
  return call;
}

const event = (callId: string, type: string): PublishableEvent & { callId: string } => ({ id: randomUUID(), type, callId });
const plain = (snapshot: CallSnapshot): CallSnapshot => JSON.parse(JSON.stringify(snapshot)) as CallSnapshot;

// What one connection sent, as seen by MONITOR: [command, first argument].
async function commandsOf(redis: Redis, monitorUrl: string, action: () => Promise<void>): Promise<string[][]> {
  const { addr } = await redis.clientInfo();
  const monitor = createClient({ url: monitorUrl });
  await monitor.connect();
  const seen: string[][] = [];
  await monitor.monitor((line) => {
    if (!String(line).includes(` ${addr}]`)) return;
    const args = [...String(line).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1] ?? '');
    seen.push([(args[0] ?? '').toLowerCase(), args[1] ?? '']);
  });
  await action();
  await redis.ping(); // MONITOR output is ordered: once the ping is seen, everything before it is too
  const deadline = Date.now() + 2000;
  while (!seen.some(([command]) => command === 'ping') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  monitor.destroy();
  return seen.filter(([command]) => command !== 'ping');
}

describe('integration: redis call store', function () {
  let redis: Redis;
  let store: RedisCallStore;
  let prefix: string;
  let instanceId: string;
  const log = capturingLogger();

  before(async function () {
    redis = createClient({ url: testEnv.redisUrl });
    await redis.connect();
  });

  beforeEach(function () {
    prefix = `test-call:${randomUUID().slice(0, 8)}:`;
    instanceId = `test-${randomUUID().slice(0, 8)}`;
    store = new RedisCallStore(redis, { instanceId, ttlSeconds: 600, keyPrefix: prefix, log });
  });

  afterEach(async function () {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await redis.del(keys);
    await redis.del(outboxKey(instanceId));
  });

  after(async function () {
    await redis.quit();
  });

  it('given a saved call, when another store instance reads it, then the same call comes back in the same state', async function () {
    const call = answeredCall();
    await store.save(call);
    const other = new RedisCallStore(redis, { instanceId: 'another-instance', keyPrefix: prefix });
    const read = await other.get(call.id);
    expect(read).to.be.instanceOf(Call);
    expect(plain(read!.snapshot())).to.deep.equal(plain(call.snapshot()));
    expect(read!.state.name).to.equal('answered');
    expect(read!.answeredLeg).to.equal(call.legs[0]?.channelId);
    expect(await store.get(randomUUID())).to.equal(undefined);
  });

  it('given a call saved with events, then the key and the outbox entries are written in one MULTI/EXEC', async function () {
    const call = answeredCall();
    const events = [event(call.id, 'call.v1.ringing'), event(call.id, 'call.v1.answered')];
    const commands = await commandsOf(redis, testEnv.redisOpsUrl, () => store.save(call, events));
    // The call's key and the outbox only: no per-user index, which would cost memory per call.
    expect(commands).to.deep.equal([
      ['multi', ''],
      ['set', `${prefix}${call.id}`],
      ['rpush', outboxKey(instanceId)],
      ['exec', ''],
    ]);
    const outbox = (await redis.lRange(outboxKey(instanceId), 0, -1)).map(parseOutboxEntry);
    expect(outbox.map((entry) => [entry.subject, entry.id])).to.deep.equal(events.map((e) => [e.type, e.id]));
    expect(JSON.parse(outbox[1]?.data ?? '')).to.deep.equal(events[1]);
  });

  it('given a saved call, then its key expires after the configured TTL', async function () {
    const call = answeredCall();
    await store.save(call);
    const ttl = await redis.ttl(`${prefix}${call.id}`);
    expect(ttl).to.be.within(595, 600);
  });

  it('given a live call, when it is deleted with its last event, then the key is gone and the event is queued in the same MULTI/EXEC', async function () {
    const call = answeredCall();
    await store.save(call);
    const ended = event(call.id, 'call.v1.ended');
    const commands = await commandsOf(redis, testEnv.redisOpsUrl, () => store.delete(call, [ended]));
    expect(commands).to.deep.equal([
      ['multi', ''],
      ['del', `${prefix}${call.id}`],
      ['rpush', outboxKey(instanceId)],
      ['exec', ''],
    ]);
    expect(await redis.exists(`${prefix}${call.id}`)).to.equal(0);
    expect(await store.get(call.id)).to.equal(undefined);
    const outbox = (await redis.lRange(outboxKey(instanceId), 0, -1)).map(parseOutboxEntry);
    expect(outbox.map((entry) => entry.id)).to.deep.equal([ended.id]);
  });

  it('given 3,000 saved calls and keys of other prefixes, when live calls are listed, then exactly those calls come back', async function () {
    const calls = Array.from({ length: 3000 }, (_, n) => answeredCall(n));
    await Promise.all(calls.map((call) => store.save(call)));
    await redis.set(`other-${prefix}${randomUUID()}`, 'not a call', { expiration: { type: 'EX', value: 60 } });
    const live = await store.liveCalls();
    expect(live).to.have.length(3000);
    expect(new Set(live.map((call) => call.id))).to.deep.equal(new Set(calls.map((call) => call.id)));
    const sample = live.find((call) => call.id === calls[1234]?.id);
    expect(plain(sample!.snapshot())).to.deep.equal(plain(calls[1234]!.snapshot()));
  });

  it('given a stored value that cannot be read, then get throws CorruptCallStateError and liveCalls skips it with a warning', async function () {
    const call = answeredCall();
    await store.save(call);
    const badId = randomUUID();
    await redis.set(`${prefix}${badId}`, Buffer.from([99, 1, 2, 3]), { expiration: { type: 'EX', value: 60 } });
    let error: unknown;
    await store.get(badId).catch((caught: unknown) => (error = caught));
    expect(error).to.be.instanceOf(CorruptCallStateError);
    const live = await store.liveCalls();
    expect(live.map((c) => c.id)).to.deep.equal([call.id]);
    expect(log.entries.some((entry) => entry.message === 'unreadable live call skipped' && entry.fields.key === `${prefix}${badId}`)).to.equal(true);
  });

  it('given long calls whose TTL is running out, when touched, then their TTL is full again and calls already gone are not recreated', async function () {
    const calls = [answeredCall(1), answeredCall(2)];
    for (const call of calls) {
      await store.save(call);
      await redis.expire(`${prefix}${call.id}`, 5);
    }
    const gone = answeredCall(3);
    await store.touch([...calls, gone]);
    for (const call of calls) expect(await redis.ttl(`${prefix}${call.id}`)).to.be.within(595, 600);
    expect(await redis.exists(`${prefix}${gone.id}`)).to.equal(0);
  });

  it('given live calls of several users, when one user\'s calls are listed, then exactly theirs come back, as caller or callee, and a call that ended or expired is not among them', async function () {
    const calls = Array.from({ length: 50 }, (_, n) => answeredCall(n));
    const bobsCalls = calls.slice(0, 3).map((call) => {
      call.callee = { ...call.callee!, userId: calls[0]!.callee!.userId };
      return call;
    });
    const alicesCall = calls[10]!;
    alicesCall.caller.userId = alice;
    await Promise.all(calls.map((call) => store.save(call)));
    expect((await store.liveCallsOf(calls[0]!.callee!.userId)).map((call) => call.id).sort()).to.deep.equal(bobsCalls.map((call) => call.id).sort());
    expect((await store.liveCallsOf(alice)).map((call) => call.id)).to.deep.equal([alicesCall.id]);
    expect(await store.liveCallsOf(randomUUID())).to.deep.equal([]);
    await store.delete(bobsCalls[0]!);
    await redis.del(`${prefix}${bobsCalls[1]!.id}`);
    expect((await store.liveCallsOf(calls[0]!.callee!.userId)).map((call) => call.id)).to.deep.equal([bobsCalls[2]!.id]);
  });
});

const alice = randomUUID();
