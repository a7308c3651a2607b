import { expect } from 'chai';
import { Call, RedisCallStore } from '../../../app/call-state';
import { silentLogger } from '../../../app/shared/infra/logger';
import { newCallId } from '../../../app/shared/kernel';
import { connectRedis, type Redis } from '../../../app/shared/infra/redis';
import { TcpProxy } from '../../support/tcp-proxy';
import { testEnv } from '../../support/test-env';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const TIMEOUT_MS = 300;

// How long a promise takes to settle, and whether it failed.
async function timed(work: () => Promise<unknown>): Promise<{ ms: number; failed: boolean }> {
  const started = Date.now();
  try {
    await work();
    return { ms: Date.now() - started, failed: false };
  } catch {
    return { ms: Date.now() - started, failed: true };
  }
}

describe('integration: Redis fails fast (no offline queue, command timeouts)', function () {
  let proxy: TcpProxy;
  let redis: Redis;

  beforeEach(async function () {
    const target = new URL(testEnv.redisUrl);
    proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.start();
    target.port = String(proxy.port);
    redis = await connectRedis({ url: target.toString(), commandTimeoutMs: TIMEOUT_MS }, silentLogger);
  });

  afterEach(async function () {
    proxy.resume();
    proxy.restore();
    await redis.close().catch(() => undefined);
    await proxy.stop();
  });

  it('given Redis unreachable, when commands are sent, then they fail at once instead of waiting in a queue, and work again once it is back', async function () {
    proxy.cut();
    await sleep(50);
    const during = await timed(() => redis.set('fail-fast:probe', '1'));
    expect(during.failed).to.equal(true);
    expect(during.ms).to.be.below(TIMEOUT_MS);
    proxy.restore();
    // The client reconnects by itself (capped backoff: 2 s at most between tries).
    const deadline = Date.now() + 5_000;
    let back = false;
    while (!back && Date.now() < deadline) {
      back = !(await timed(() => redis.ping())).failed;
      if (!back) await sleep(100);
    }
    expect(back).to.equal(true);
    // What was refused during the outage was not replayed later.
    expect(await redis.get('fail-fast:probe')).to.equal(null);
  });

  // node-redis's own command timeout only covers a command not yet written: the call store bounds
  // its writes itself.
  it('given Redis that stops answering, then a call save fails within the timeout', async function () {
    const store = new RedisCallStore(redis, { instanceId: 'fail-fast-test', keyPrefix: 'fail-fast:call:', writeTimeoutMs: TIMEOUT_MS });
    const call = Call.start(newCallId(), { userId: 'u-1', username: 'alice', phoneNumber: '+14155550101', channelId: 'chan-1' }, 'bob', new Date());
    proxy.stall();
    const save = await timed(() => store.save(call));
    expect(save.failed).to.equal(true);
    expect(save.ms).to.be.within(TIMEOUT_MS - 50, TIMEOUT_MS + 700);
    proxy.resume();
    // The save may still land after its timeout (it is safe to repeat); a new one goes through.
    await store.save(call);
    expect((await store.get(call.id))?.id).to.equal(call.id);
    await store.delete(call);
  });
});
