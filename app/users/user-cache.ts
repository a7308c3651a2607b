import { type User } from './user';

// A short-lived cache of active users for the call path, where every call looks up its caller and
// its callee. A change clears the entries at once on this instance and, through the directory
// change notice (app/directory-sync), on every other; should a notice be lost, an entry is reused
// for at most `ttlMs`. An expired entry is kept (up to maxEntries) to be served while the database
// cannot answer (getStale): an emergency call needs its caller's number and country.
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
    if (entry.expiresAt <= this.now()) return undefined;
    return entry.user;
  }

  // The entry even past its lifetime, for when the database cannot answer.
  getStale(key: string): User | undefined {
    return this.entries.get(key)?.user;
  }

  forgetKey(key: string): void {
    this.entries.delete(key);
  }

  set(key: string, user: User): void {
    if (this.entries.size >= this.maxEntries) {
      // Map keeps insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    // Re-inserted, so that Map's insertion order stays the order of last refresh.
    this.entries.delete(key);
    this.entries.set(key, { user, expiresAt: this.now() + this.ttlMs });
  }

  forgetUser(user: User): void {
    this.forgetUserId(user.id);
  }

  forgetUserId(userId: string): void {
    for (const [key, entry] of this.entries) if (entry.user.id === userId) this.entries.delete(key);
  }
}
