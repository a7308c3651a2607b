import { type Clock, toE164 } from '../shared/kernel';
import { type DirectoryChanges, type UserRepository } from './ports';
import { UserCache } from './user-cache';
import { digestHa1, mediaEncryptionOf, sipIdentitiesFor } from './sip-identity';
import {
  DEFAULT_MEDIA_ENCRYPTION,
  InvalidUserError,
  isMediaEncryption,
  type MediaEncryption,
  MEDIA_ENCRYPTION_POLICIES,
  type NewUser,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  SUSPENSION_REASON_MAX_LENGTH,
  type User,
  USERNAME_PATTERN,
  UserNotFoundError,
} from './user';

export interface UserServiceOptions {
  realm: string;
  maxDevicesPerUser: number;
  // Devices register through a SIP edge (SIP_BEHIND_EDGE): AORs keep the edge's Path.
  behindEdge?: boolean;
  // The edge's SIP URI behind it: the nodes' outbound proxy toward devices (phones and browsers).
  edgeProxy?: string;
  // How long the call path may reuse a user it looked up (0: always ask the database).
  lookupCacheMs?: number;
  // Told of every change of a user (every controller's caches, every node's switch).
  changes?: DirectoryChanges;
}

export class UserService {
  private readonly cache: UserCache;

  constructor(
    private readonly repository: UserRepository,
    private readonly clock: Clock,
    private readonly options: UserServiceOptions,
  ) {
    this.cache = new UserCache(options.lookupCacheMs ?? 0, 100_000, () => clock.now().getTime());
  }

  // Creates a subscriber that can register at once: Asterisk reads the new rows on the next REGISTER.
  async create(input: NewUser): Promise<User> {
    if (!USERNAME_PATTERN.test(input.username)) {
      throw new InvalidUserError('username must be 3-32 characters: a lower-case letter, then letters, digits, dots or dashes', { field: 'username' });
    }
    checkPassword(input.password);
    const phoneNumber = toE164(input.phoneNumber);
    if (!phoneNumber || phoneNumber !== input.phoneNumber) {
      throw new InvalidUserError('phoneNumber must be a valid number in E.164 form, e.g. +14155550102', { field: 'phoneNumber' });
    }
    const mediaEncryption = checkedPolicy(input.mediaEncryption ?? DEFAULT_MEDIA_ENCRYPTION);
    const identities = sipIdentitiesFor({ username: input.username, phoneNumber, password: input.password, mediaEncryption }, {
      realm: this.options.realm,
      maxDevices: this.options.maxDevicesPerUser,
      behindEdge: this.options.behindEdge,
      ...(this.options.edgeProxy ? { edgeProxy: this.options.edgeProxy } : {}),
    });
    return this.repository.create({ username: input.username, phoneNumber, mediaEncryption }, identities);
  }

  async get(id: string): Promise<User> {
    const user = await this.repository.findActiveById(id);
    if (!user) throw new UserNotFoundError(id);
    return user;
  }

  // The user can no longer register or call: its SIP identity and registrations are removed.
  async delete(id: string): Promise<void> {
    const user = await this.repository.findActiveById(id);
    if (!user || !(await this.repository.softDelete(id, this.clock.now()))) throw new UserNotFoundError(id);
    await this.changed(user);
  }

  // Suspends the user: its devices may still register, its calls and calls to it are refused
  // (emergency calls excepted). Suspending again replaces the reason.
  async suspend(id: string, reason: string): Promise<User> {
    return this.setSuspension(id, { reason: checkedReason(reason), at: this.clock.now() });
  }

  async resume(id: string): Promise<User> {
    return this.setSuspension(id, null);
  }

  // The old password stops working at once: the switch's cached auth is expired before this
  // answers, so a registered device is challenged with the new one at its next refresh.
  async changePassword(id: string, password: string): Promise<void> {
    checkPassword(password);
    const user = await this.get(id);
    if (!(await this.repository.setSipCredential(id, digestHa1(user.username, this.options.realm, password)))) throw new UserNotFoundError(id);
    await this.changed(user);
  }

  // The media encryption policy of the user's devices, from their next call on.
  async setMediaEncryption(id: string, policy: MediaEncryption): Promise<User> {
    const user = await this.repository.setMediaEncryption(id, checkedPolicy(policy), mediaEncryptionOf(policy));
    if (!user) throw new UserNotFoundError(id);
    await this.changed(user);
    return user;
  }

  // The suspension of an active user, if any (the call path asks for every call: cached like a lookup).
  async suspensionOf(userId: string): Promise<User['suspended']> {
    const user = await this.cached(`i:${userId}`, () => this.repository.findActiveById(userId));
    return user?.suspended;
  }

  private async setSuspension(id: string, suspension: { reason: string; at: Date } | null): Promise<User> {
    const user = await this.repository.setSuspension(id, suspension);
    if (!user) throw new UserNotFoundError(id);
    await this.changed(user);
    return user;
  }

  // A change of a user made on another instance (or this one): its lookups are read again.
  forgetCached(userId: string): void {
    this.cache.forgetUserId(userId);
  }

  private async changed(user: User): Promise<void> {
    this.cache.forgetUser(user);
    await this.options.changes?.changed({ kind: 'user', userId: user.id, username: user.username });
  }

  findByUsername(username: string): Promise<User | undefined> {
    return this.cached(`u:${username}`, () => this.repository.findActiveByUsername(username));
  }

  // A dialled string is a username, or a phone number in E.164 form.
  findByDialed(dialed: string): Promise<User | undefined> {
    if (dialed.startsWith('+')) {
      const number = toE164(dialed);
      return number ? this.cached(`n:${number}`, () => this.repository.findActiveByPhoneNumber(number)) : Promise.resolve(undefined);
    }
    return USERNAME_PATTERN.test(dialed) ? this.findByUsername(dialed) : Promise.resolve(undefined);
  }

  // While the database cannot answer, a user looked up before is served as it was (stale): a
  // registered caller's emergency call needs its number and country, not a fresh read. A change of
  // the user clears its entries at once (forgetUser), so stale never means deleted or suspended
  // since: only a change made while the database is down could be missed, and none can be.
  private async cached(key: string, load: () => Promise<User | undefined>): Promise<User | undefined> {
    if (!this.options.lookupCacheMs) return load();
    const hit = this.cache.get(key);
    if (hit) return hit;
    let user: User | undefined;
    try {
      user = await load();
    } catch (error) {
      const stale = this.cache.getStale(key);
      if (stale) return stale;
      throw error;
    }
    if (user) this.cache.set(key, user);
    else this.cache.forgetKey(key);
    return user;
  }
}

function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new InvalidUserError(`password must be ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters`, { field: 'password' });
  }
}

function checkedPolicy(policy: unknown): MediaEncryption {
  if (!isMediaEncryption(policy)) throw new InvalidUserError(`mediaEncryption must be one of ${MEDIA_ENCRYPTION_POLICIES.join(', ')}`, { field: 'mediaEncryption' });
  return policy;
}

function checkedReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length === 0 || trimmed.length > SUSPENSION_REASON_MAX_LENGTH) {
    throw new InvalidUserError(`reason must be 1-${SUSPENSION_REASON_MAX_LENGTH} characters`, { field: 'reason' });
  }
  return trimmed;
}
