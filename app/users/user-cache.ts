import { type User } from './user';

// A short-lived cache of active users for the call path, where every call looks up its caller and
// its callee. Deletion clears the entry at once on this instance; another instance may serve a
// deleted user for up to `ttlMs`, which is harmless: Asterisk refuses the deleted account's
// requests itself, and a deleted callee has no registered device left to ring.
export class UserCache {
  private readonly entries = new Map<string, { user: User; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): User | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.user;
  }

  set(key: string, user: User): void {
    if (this.entries.size >= this.maxEntries) {
      // Map keeps insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { user, expiresAt: this.now() + this.ttlMs });
  }

  forgetUser(user: User): void {
    for (const [key, entry] of this.entries) if (entry.user.id === user.id) this.entries.delete(key);
  }
}
