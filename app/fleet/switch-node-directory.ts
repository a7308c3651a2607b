import { type Logger } from '../shared/infra/logger';
import { type Redis } from '../shared/infra/redis';
import { errorMessage } from '../shared/kernel';

// How a node's switch is reached over ARI (its URL and the Stasis application its controller
// subscribes, which snoop channels enter).
export interface SwitchNode {
  node: string;
  ariUrl: string;
  app: string;
}

const KEY = 'fleet:switch-nodes';

// The fleet's switch nodes, as each announces itself in Redis (a hash, one field per node): an
// instance that must reach the switch holding a channel it did not create (lawful intercept's
// taps, on whichever instance handles the event or the warrant) finds every node's ARI here. A
// node stays listed after it dies: its recordings may still be fetched when it comes back.
export class RedisSwitchNodeDirectory {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
  ) {}

  // Writes this node's entry now and again every periodMs (it may change on a restart).
  announce(self: SwitchNode, periodMs = 10_000): void {
    const write = (): void => {
      this.redis.hSet(KEY, self.node, JSON.stringify({ ariUrl: self.ariUrl, app: self.app })).catch((error: unknown) => this.log.warn('switch node not announced', { error: errorMessage(error) }));
    };
    write();
    this.timer = setInterval(write, periodMs);
    this.timer.unref();
  }

  async nodes(): Promise<SwitchNode[]> {
    const entries = await this.redis.hGetAll(KEY);
    const nodes: SwitchNode[] = [];
    for (const [node, value] of Object.entries(entries)) {
      try {
        const parsed = JSON.parse(value) as Partial<SwitchNode>;
        if (typeof parsed.ariUrl === 'string' && typeof parsed.app === 'string') nodes.push({ node, ariUrl: parsed.ariUrl, app: parsed.app });
      } catch (error) {
        this.log.warn('unreadable switch node entry skipped', { node, error: errorMessage(error) });
      }
    }
    return nodes.sort((a, b) => a.node.localeCompare(b.node));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
