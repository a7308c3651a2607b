import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { RedisInstanceRegistry, RedisStrandedOutboxes } from '../../../app/call-state';
import { STREAMS } from '../../../app/shared/events';
import { ensureStreams, malformedOutboxKey, OutboxPublisher } from '../../../app/shared/infra/jetstream';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectNats } from '../../../app/shared/infra/nats';
import { outboxKey } from '../../../app/shared/infra/outbox';
import { connectRedis, type Redis } from '../../../app/shared/infra/redis';
import { testEnv } from '../../support/test-env';

// Events a controller queued but never published, when that controller does not come back.
describe('integration: outboxes of instances that stopped are adopted', function () {
  this.timeout(30_000);
  let redis: Redis;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let tag: string;
  const registries: RedisInstanceRegistry[] = [];
  const publishers: OutboxPublisher[] = [];

  const registry = (instanceId: string): RedisInstanceRegistry => {
    const created = new RedisInstanceRegistry(redis, { instanceId, log: silentLogger, heartbeatMs: 50, leaseTtlMs: 2000 });
    registries.push(created);
    return created;
  };
  const adopter = (instanceId: string): RedisStrandedOutboxes => {
    const leases = registry(instanceId);
    return new RedisStrandedOutboxes(redis, { instanceId, leaseKeyOf: (id) => leases.leaseKeyOf(id), log: silentLogger });
  };
  // An outbox entry as RedisCallStore writes it, on a subject of this test under call.v1.>.
  const entry = (id: string): string => JSON.stringify({ subject: `call.v1.test-${tag}`, id, data: JSON.stringify({ id, type: `call.v1.test-${tag}` }), key: `call-${tag}` });
  const idsIn = async (key: string): Promise<string[]> => (await redis.lRange(key, 0, -1)).map((raw) => (JSON.parse(raw) as { id: string }).id);

  before(async function () {
    redis = await connectRedis(testEnv.redisUrl, silentLogger);
    nc = await connectNats(testEnv.natsUrl, 'stranded-outboxes-test', silentLogger);
    jsm = await nc.jetstreamManager();
    await ensureStreams(jsm, silentLogger);
    js = nc.jetstream();
  });

  beforeEach(function () {
    tag = randomUUID().slice(0, 8);
  });

  afterEach(async function () {
    for (const created of registries.splice(0)) await created.releaseLease();
    for (const created of publishers.splice(0)) await created.stop();
    // Nothing of this test is left for a later suite's controller to adopt and publish.
    const leftovers: string[] = [];
    for await (const keys of redis.scanIterator({ MATCH: `*${tag}*`, COUNT: 1000 })) leftovers.push(...keys);
    if (leftovers.length > 0) await redis.del(leftovers);
  });

  after(async function () {
    await nc?.drain();
    await redis?.quit();
  });

  it('given the outbox of an instance that holds no lease, when another instance adopts it, then its entries follow that instance\'s own in order, and the stopped one\'s outbox is gone', async function () {
    const [stopped, me] = [`stopped-${tag}`, `me-${tag}`];
    await redis.rPush(outboxKey(me), [entry(`${tag}-own-1`)]);
    const strandedIds = Array.from({ length: 2500 }, (_, i) => `${tag}-stranded-${i}`); // past one Lua chunk of 1,000
    await redis.rPush(outboxKey(stopped), strandedIds.map(entry));

    const moved = await adopter(me).adopt();

    expect(moved).to.be.at.least(strandedIds.length);
    expect((await idsIn(outboxKey(me))).filter((id) => id.startsWith(tag))).to.deep.equal([`${tag}-own-1`, ...strandedIds]);
    expect(await redis.exists(outboxKey(stopped))).to.equal(0);
    await redis.del(outboxKey(me));
  });

  it('given the outbox of an instance that runs (holds its lease), and its list of malformed entries, then neither is touched', async function () {
    const running = registry(`running-${tag}`);
    await running.acquireLease();
    await redis.rPush(outboxKey(`running-${tag}`), [entry(`${tag}-a`), entry(`${tag}-b`)]);
    await redis.rPush(malformedOutboxKey(`gone-${tag}`), ['{not json']);

    await adopter(`me-${tag}`).adopt();

    expect(await idsIn(outboxKey(`running-${tag}`))).to.deep.equal([`${tag}-a`, `${tag}-b`]);
    expect(await redis.lRange(malformedOutboxKey(`gone-${tag}`), 0, -1)).to.deep.equal(['{not json']);
    expect(await redis.exists(outboxKey(`me-${tag}`))).to.equal(0);
    await redis.del([outboxKey(`running-${tag}`), malformedOutboxKey(`gone-${tag}`)]);
  });

  it('given two instances adopting the same stranded outbox at once, then every entry is moved exactly once', async function () {
    const ids = Array.from({ length: 300 }, (_, i) => `${tag}-${i}`);
    await redis.rPush(outboxKey(`stopped-${tag}`), ids.map(entry));

    await Promise.all([adopter(`one-${tag}`).adopt(), adopter(`two-${tag}`).adopt()]);

    const [one, two] = [await idsIn(outboxKey(`one-${tag}`)), await idsIn(outboxKey(`two-${tag}`))];
    expect([...one, ...two].filter((id) => id.startsWith(tag)).sort()).to.deep.equal([...ids].sort());
    expect(one.length === 0 || two.length === 0, 'one of them took the whole list').to.be.true;
    await redis.del([outboxKey(`one-${tag}`), outboxKey(`two-${tag}`)]);
  });

  it('given adopted entries, then the adopting instance\'s publisher sends them to JetStream', async function () {
    const me = `me-${tag}`;
    await redis.rPush(outboxKey(`stopped-${tag}`), [entry(`${tag}-x`), entry(`${tag}-y`)]);
    await adopter(me).adopt();
    const publisher = new OutboxPublisher({ redis, js, instanceId: me, log: silentLogger, publishTimeoutMs: 1000 });
    publishers.push(publisher);
    publisher.start();

    expect(await publisher.drained(10_000)).to.be.true;
    const subject = `call.v1.test-${tag}`;
    const info = await jsm.streams.info(STREAMS.callEvents.name, { subjects_filter: subject });
    expect(info.state.subjects?.[subject]).to.equal(2);
  });
});
