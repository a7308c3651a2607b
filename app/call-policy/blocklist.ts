import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type BlockedPrefix, type PolicyStore } from './ports';

// The destination blocklist, in memory: the configured prefixes (always) and those operators (or
// the destination-rate alarm) added, re-read periodically and at once after a change here.
export class Blocklist {
  private added: BlockedPrefix[] = [];

  constructor(
    private readonly configured: readonly string[],
    private readonly store: PolicyStore,
    private readonly log: Logger,
  ) {}

  async refresh(now = new Date()): Promise<void> {
    try {
      this.added = await this.store.blockedPrefixes(now);
    } catch (error) {
      this.log.error('blocked prefixes not re-read: the last list stays in use', { error: errorMessage(error) });
    }
  }

  // The entry that blocks this E.164 destination (the longest prefix), if any.
  match(destination: string, now: Date): BlockedPrefix | undefined {
    let found: BlockedPrefix | undefined;
    for (const prefix of this.configured) if (destination.startsWith(prefix) && (!found || prefix.length > found.prefix.length)) found = { prefix, reason: 'configured' };
    for (const entry of this.added) {
      if (entry.expiresAt && entry.expiresAt <= now) continue;
      if (destination.startsWith(entry.prefix) && (!found || entry.prefix.length > found.prefix.length)) found = entry;
    }
    return found;
  }

  list(): { configured: readonly string[]; added: BlockedPrefix[] } {
    return { configured: this.configured, added: this.added };
  }
}
