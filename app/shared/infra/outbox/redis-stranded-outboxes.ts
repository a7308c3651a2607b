import { outboxFenceKey, outboxKey } from './outbox-entry';
import { type Logger } from '../logger';
import { type Redis } from '../redis';

export interface RedisStrandedOutboxesOptions {
  // This controller instance: stranded entries move to its outbox, which its publisher drains.
  instanceId: string;
  // The key of an instance's lease (RedisInstanceRegistry.leaseKeyOf): an outbox whose instance
  // holds its lease is that instance's to drain, and is never touched.
  leaseKeyOf: (instanceId: string) => string;
  log: Logger;
}

// Moves an outbox to the end of another, in order, if its instance holds no lease, in one atomic
// step: the instance cannot start (take its lease) half-way, and of two instances adopting the same
// outbox one gets every entry. Chunks of 1,000 keep Lua's stack small. KEYS: stranded outbox, its
// instance's lease, this instance's outbox, the stranded outbox's fencing token (moved on, so a
// publisher of that instance that stalled past its lease removes nothing when it wakes). Returns
// the number of entries moved.
const ADOPT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
redis.call('INCR', KEYS[4])
local moved = 0
while true do
  local chunk = redis.call('LRANGE', KEYS[1], 0, 999)
  if #chunk == 0 then break end
  redis.call('RPUSH', KEYS[3], unpack(chunk))
  redis.call('LTRIM', KEYS[1], #chunk, -1)
  moved = moved + #chunk
end
return moved`;

const OUTBOX_PREFIX = outboxKey('');

// Events a controller queued but did not publish before it died stay in its outbox (Redis) until
// an instance with its id runs again. When that instance does not come back (scaled down, renamed),
// another one adopts them: at start, before it takes over the dead instance's calls (so a call's
// older events are published before the ones its new owner writes), and then periodically.
export class RedisStrandedOutboxes {
  constructor(
    private readonly redis: Redis,
    private readonly options: RedisStrandedOutboxesOptions,
  ) {}

  // Adopts every stranded outbox; the number of entries moved (0: none found).
  async adopt(): Promise<number> {
    const own = outboxKey(this.options.instanceId);
    // A SCAN walks the whole key space (live calls included: a few thousand keys at the design's
    // load), every 30 s; SCAN may return a key twice.
    const found = new Set<string>();
    for await (const batch of this.redis.scanIterator({ MATCH: `${OUTBOX_PREFIX}*`, COUNT: 1000 })) {
      for (const key of batch) found.add(key);
    }
    let total = 0;
    for (const key of found) {
      const instanceId = key.slice(OUTBOX_PREFIX.length);
      // The publisher's list of malformed entries (`outbox:<id>:malformed`) is for operators; instance
      // ids have no colon (config), so such a key is never an outbox.
      if (key === own || instanceId.includes(':')) continue;
      const moved = Number(await this.redis.eval(ADOPT, { keys: [key, this.options.leaseKeyOf(instanceId), own, outboxFenceKey(instanceId)] }));
      if (moved > 0) {
        this.options.log.warn('events of a stopped instance adopted for publication', { fromInstance: instanceId, events: moved });
        total += moved;
      }
    }
    return total;
  }
}
