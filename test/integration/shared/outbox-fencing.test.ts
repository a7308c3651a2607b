import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { STREAMS } from '../../../app/shared/events';
import { ensureStreams } from '../../../app/shared/infra/jetstream';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectNats } from '../../../app/shared/infra/nats';
import { OutboxPublisher, outboxFenceKey, outboxKey, RedisInstanceRegistry, RedisStrandedOutboxes } from '../../../app/shared/infra/outbox';
import { connectRedis, type Redis } from '../../../app/shared/infra/redis';
import { testEnv } from '../../support/test-env';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// A publisher that stalls past its instance's lease while a peer adopts its outbox (real Redis and
// JetStream): the fencing token keeps it from deleting what was appended after the adoption.
describe('integration: outbox fencing (a publisher stalled past its lease)', function () {
  this.timeout(30_000);
  let redis: Redis;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let tag: string;
  const registries: RedisInstanceRegistry[] = [];
  const publishers: OutboxPublisher[] = [];

  const entry = (id: string): string => JSON.stringify({ subject: `call.v1.fence-${tag}`, id, data: JSON.stringify({ id, type: `call.v1.fence-${tag}` }), key: `call-${tag}` });
  const testIdsIn = async (key: string): Promise<string[]> => (await redis.lRange(key, 0, -1)).map((raw) => (JSON.parse(raw) as { id: string }).id).filter((id) => id.startsWith(tag));
  const inStream = async (): Promise<number> => {
    const subject = `call.v1.fence-${tag}`;
    const info = await jsm.streams.info(STREAMS.callEvents.name, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  };
  const until = async (what: () => Promise<boolean>, ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await what()) return true;
      await sleep(50);
    }
    return what();
  };

  before(async function () {
    redis = await connectRedis(testEnv.redisUrl, silentLogger);
    nc = await connectNats(testEnv.natsUrl, 'outbox-fencing-test', silentLogger);
    jsm = await nc.jetstreamManager();
    await ensureStreams(jsm, silentLogger);
    js = nc.jetstream();
  });

  beforeEach(function () {
    tag = randomUUID().slice(0, 8);
  });

  afterEach(async function () {
    for (const created of publishers.splice(0)) await created.stop();
    for (const created of registries.splice(0)) await created.releaseLease();
  });

  after(async function () {
    await nc?.drain();
    await redis?.quit();
  });

  it('given a publisher that stalls while its lease expires and a peer adopts its outbox, then no entry is lost and the stream holds each event once', async function () {
    const [stalled, peer] = [`stalled-${tag}`, `peer-${tag}`];
    // The stalled instance took its lease and then renewed nothing (as a process stopped in its tracks).
    const stalledLease = new RedisInstanceRegistry(redis, { instanceId: stalled, log: silentLogger, leaseTtlMs: 300 });
    registries.push(stalledLease);
    const fenceBefore = Number(await redis.get(outboxFenceKey(stalled)));
    await stalledLease.acquireLease();
    expect(Number(await redis.get(outboxFenceKey(stalled)))).to.equal(fenceBefore + 1);
    await redis.rPush(outboxKey(stalled), [`${tag}-1`, `${tag}-2`, `${tag}-3`].map(entry));

    // Its publisher reads the three entries, then hangs on the first publish until released.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let stalledOnce = false;
    let publishing: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (publishing = resolve));
    const stallingJs = {
      publish: async (...args: Parameters<JetStreamClient['publish']>) => {
        if (!stalledOnce) {
          stalledOnce = true;
          publishing();
          await gate;
        }
        return js.publish(...args);
      },
    } as unknown as JetStreamClient;
    const stalledPublisher = new OutboxPublisher({ redis, js: stallingJs, instanceId: stalled, log: silentLogger });
    publishers.push(stalledPublisher);
    stalledPublisher.start();
    await started;

    // The lease expires; a peer adopts the outbox; the stalled instance, still unaware, queues more.
    await sleep(400);
    const peerLease = new RedisInstanceRegistry(redis, { instanceId: peer, log: silentLogger, leaseTtlMs: 5000 });
    registries.push(peerLease);
    await peerLease.acquireLease();
    const adopter = new RedisStrandedOutboxes(redis, { instanceId: peer, leaseKeyOf: (id) => peerLease.leaseKeyOf(id), log: silentLogger });
    await adopter.adopt();
    expect(await testIdsIn(outboxKey(peer))).to.deep.equal([`${tag}-1`, `${tag}-2`, `${tag}-3`]);
    await redis.rPush(outboxKey(stalled), [`${tag}-4`, `${tag}-5`].map(entry));

    // The stalled publisher wakes: without fencing it would trim 3 entries off its list (4, 5 and nothing), losing 4 and 5.
    release();
    expect(await until(async () => (await testIdsIn(outboxKey(stalled))).length === 0, 10_000)).to.equal(true);
    const peerPublisher = new OutboxPublisher({ redis, js, instanceId: peer, log: silentLogger });
    publishers.push(peerPublisher);
    peerPublisher.start();
    expect(await until(async () => (await testIdsIn(outboxKey(peer))).length === 0, 10_000)).to.equal(true);

    expect(await until(async () => (await inStream()) === 5, 5_000)).to.equal(true);
    await sleep(200);
    expect(await inStream()).to.equal(5);
  });
});
