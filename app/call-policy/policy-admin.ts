import { AppError, NotFoundError } from '../shared/kernel';
import { type DirectoryChanges } from '../shared/events';
import { type Blocklist } from './blocklist';
import { type BlockedPrefix, type CallPolicyChange, type PolicyStore } from './ports';
import { type SettingsCache } from './settings-cache';

export class PolicyTargetNotFoundError extends NotFoundError {
  constructor(kind: 'user' | 'plan', id: string) {
    super(kind === 'user' ? 'USER.NOT_FOUND' : 'PLAN.NOT_FOUND', `no such ${kind}`, { id });
  }
}

export class BlockedPrefixNotFoundError extends NotFoundError {
  constructor(prefix: string) {
    super('BLOCKED_PREFIX.NOT_FOUND', 'no such blocked prefix', { prefix });
  }
}

export class InvalidPolicyError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('CALL_POLICY.INVALID', message, 'invalid', details);
  }
}

const PREFIX = /^\+[0-9]{1,15}$/;

// What operators set through the admin API: per-user and per-plan limits and caps, and the
// destination blocklist.
export class PolicyAdmin {
  constructor(
    private readonly store: PolicyStore,
    private readonly settings: SettingsCache,
    private readonly blocklist: Blocklist,
    // Every other controller's caches of settings and blocklist (app/directory-sync).
    private readonly changes?: DirectoryChanges,
  ) {}

  async setUser(userId: string, change: CallPolicyChange) {
    if (!(await this.store.setUserSettings(userId, change))) throw new PolicyTargetNotFoundError('user', userId);
    this.settings.forget(userId);
    await this.changes?.changed({ kind: 'call_policy', userId });
    return this.store.ownSettingsOf('user', userId);
  }

  async setPlan(planId: string, change: Omit<CallPolicyChange, 'clir'>) {
    if (!(await this.store.setPlanSettings(planId, change))) throw new PolicyTargetNotFoundError('plan', planId);
    // Every user of the plan may be affected.
    this.settings.forget();
    await this.changes?.changed({ kind: 'call_policy' });
    return this.store.ownSettingsOf('plan', planId);
  }

  ownOfUser(userId: string) {
    return this.store.ownSettingsOf('user', userId);
  }

  // The settings that apply to the user now (its own, else its plan's).
  effective(userId: string) {
    this.settings.forget(userId);
    return this.settings.of(userId);
  }

  async block(entry: BlockedPrefix): Promise<BlockedPrefix> {
    if (!PREFIX.test(entry.prefix)) throw new InvalidPolicyError("prefix must be an E.164 prefix with its '+', e.g. +44909", { field: 'prefix' });
    await this.store.block(entry);
    await this.blocklist.refresh();
    await this.changes?.changed({ kind: 'blocklist' });
    return entry;
  }

  async unblock(prefix: string): Promise<void> {
    if (!(await this.store.unblock(prefix))) throw new BlockedPrefixNotFoundError(prefix);
    await this.blocklist.refresh();
    await this.changes?.changed({ kind: 'blocklist' });
  }

  async blocked(): Promise<{ configured: readonly string[]; added: BlockedPrefix[] }> {
    await this.blocklist.refresh();
    return this.blocklist.list();
  }
}
