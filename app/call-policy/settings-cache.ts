import { type CallPolicySettings, type PolicyStore } from './ports';

// Each user's settings are read at most once per `ttlMs` on the call path; a change made through
// this instance's API is seen at once (others within `ttlMs`).
export class SettingsCache {
  private readonly entries = new Map<string, { settings: CallPolicySettings; expiresAt: number }>();

  constructor(
    private readonly store: PolicyStore,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async of(userId: string): Promise<CallPolicySettings> {
    const hit = this.entries.get(userId);
    if (hit && hit.expiresAt > this.now()) return hit.settings;
    const settings = await this.store.settingsOf(userId);
    if (this.ttlMs > 0) {
      if (this.entries.size >= 100_000) this.entries.clear();
      this.entries.set(userId, { settings, expiresAt: this.now() + this.ttlMs });
    }
    return settings;
  }

  forget(userId?: string): void {
    if (userId === undefined) this.entries.clear();
    else this.entries.delete(userId);
  }
}
