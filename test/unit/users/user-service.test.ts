import { expect } from 'chai';
import { digestHa1, type MediaEncryption, sipIdentityFor, UserService, type SipIdentity, type User, type UserRepository } from '../../../app/users';
import { systemClock } from '../../../app/shared/kernel';

class MemoryRepository implements UserRepository {
  created: { user: { username: string; phoneNumber: string; mediaEncryption: MediaEncryption }; sip: SipIdentity; identities: readonly SipIdentity[] }[] = [];
  users: User[] = [];
  endpoints = new Map<string, Pick<SipIdentity['endpoint'], 'mediaEncryption' | 'mediaEncryptionOptimistic'>>();
  create(user: { username: string; phoneNumber: string; mediaEncryption: MediaEncryption }, identities: readonly SipIdentity[]): Promise<User> {
    const [sip] = identities;
    if (!sip) throw new Error('a user is created with its SIP identities');
    this.created.push({ user, sip, identities });
    const row = { id: '00000000-0000-4000-8000-000000000001', ...user, createdAt: new Date() };
    this.users.push(row);
    return Promise.resolve(row);
  }
  findActiveById(id: string): Promise<User | undefined> {
    return Promise.resolve(this.users.find((user) => user.id === id));
  }
  findActiveByUsername(username: string): Promise<User | undefined> {
    return Promise.resolve(this.users.find((user) => user.username === username));
  }
  findActiveByPhoneNumber(phoneNumber: string): Promise<User | undefined> {
    return Promise.resolve(this.users.find((user) => user.phoneNumber === phoneNumber));
  }
  softDelete(): Promise<boolean> {
    return Promise.resolve(false);
  }
  credentials = new Map<string, string>();
  setSuspension(id: string, suspension: { reason: string; at: Date } | null): Promise<User | undefined> {
    const index = this.users.findIndex((user) => user.id === id);
    const current = this.users[index];
    if (!current) return Promise.resolve(undefined);
    const { suspended: _previous, ...rest } = current;
    const next = suspension ? { ...rest, suspended: suspension } : rest;
    this.users[index] = next;
    return Promise.resolve(next);
  }
  setMediaEncryption(id: string, policy: MediaEncryption, endpoint: Pick<SipIdentity['endpoint'], 'mediaEncryption' | 'mediaEncryptionOptimistic'>): Promise<User | undefined> {
    const index = this.users.findIndex((user) => user.id === id);
    const current = this.users[index];
    if (!current) return Promise.resolve(undefined);
    this.users[index] = { ...current, mediaEncryption: policy };
    this.endpoints.set(id, endpoint);
    return Promise.resolve(this.users[index]);
  }
  setSipCredential(id: string, md5Cred: string): Promise<boolean> {
    if (!this.users.some((user) => user.id === id)) return Promise.resolve(false);
    this.credentials.set(id, md5Cred);
    return Promise.resolve(true);
  }
}

describe('user service', function () {
  const options = { realm: 'calling.local', maxDevicesPerUser: 5 };

  it('given a valid user, then its SIP identity stores the digest HA1 and never the password', async function () {
    const repository = new MemoryRepository();
    await new UserService(repository, systemClock, options).create({ username: 'alice', password: 'correct horse', phoneNumber: '+14155550101' });
    const { sip } = repository.created[0] ?? expect.fail('nothing created');
    expect(sip.auth.md5Cred).to.equal(digestHa1('alice', 'calling.local', 'correct horse'));
    expect(JSON.stringify(sip)).to.not.include('correct horse');
    expect(sip.endpoint).to.include({ id: 'alice', context: 'from-users', callerid: '"alice" <+14155550101>', directMedia: 'no' });
    expect(sip.aor.maxContacts).to.equal(5);
  });

  it('refuses bad usernames, passwords and numbers that are not E.164', async function () {
    const service = new UserService(new MemoryRepository(), systemClock, options);
    const attempts = [
      { username: 'Al', password: 'long enough', phoneNumber: '+14155550101' },
      { username: '1alice', password: 'long enough', phoneNumber: '+14155550101' },
      { username: 'ali_ce', password: 'long enough', phoneNumber: '+14155550101' },
      { username: 'alice', password: 'short', phoneNumber: '+14155550101' },
      { username: 'alice', password: 'long enough', phoneNumber: '4155550101' },
      { username: 'alice', password: 'long enough', phoneNumber: '+1415555' },
      { username: 'alice', password: 'long enough', phoneNumber: '+1 415 555 0101' },
    ];
    for (const attempt of attempts) {
      const error = await service.create(attempt).then(() => undefined, (e: unknown) => e);
      expect(error, JSON.stringify(attempt)).to.have.property('code', 'USER.INVALID');
    }
  });

  it('finds a callee by username or by E.164 number, and nothing for anything else', async function () {
    const repository = new MemoryRepository();
    const service = new UserService(repository, systemClock, options);
    await service.create({ username: 'bob', password: 'long enough', phoneNumber: '+14155550102' });
    expect((await service.findByDialed('bob'))?.username).to.equal('bob');
    expect((await service.findByDialed('+14155550102'))?.username).to.equal('bob');
    expect(await service.findByDialed('+1415555')).to.equal(undefined);
    expect(await service.findByDialed('*97')).to.equal(undefined);
  });

  it('builds identities for every user with the same realm and options', function () {
    const sip = sipIdentityFor({ username: 'carol', phoneNumber: '+442071838750', password: 'secret-123' }, { realm: 'r', maxDevices: 2 });
    expect(sip.auth).to.include({ id: 'carol', username: 'carol', realm: 'r', authType: 'md5' });
    expect(sip.endpoint.aors).to.equal('carol');
  });

  it('given a user suspended for a reason, then the call path sees the suspension at once (its cached lookup is dropped), and after resume it no longer does', async function () {
    const repository = new MemoryRepository();
    const service = new UserService(repository, systemClock, { ...options, lookupCacheMs: 60_000 });
    const bob = await service.create({ username: 'bob', password: 'long enough', phoneNumber: '+14155550102' });
    expect(await service.suspensionOf(bob.id)).to.equal(undefined);
    const suspended = await service.suspend(bob.id, '  fraud desk: premium-rate spike ');
    expect(suspended.suspended?.reason).to.equal('fraud desk: premium-rate spike');
    expect((await service.suspensionOf(bob.id))?.reason, 'not the cached, unsuspended user').to.equal('fraud desk: premium-rate spike');
    await service.resume(bob.id);
    expect(await service.suspensionOf(bob.id)).to.equal(undefined);
    const empty = await service.suspend(bob.id, '   ').then(() => undefined, (e: unknown) => e);
    expect(empty).to.have.property('code', 'USER.INVALID');
    const unknown = await service.suspend('00000000-0000-4000-8000-00000000dead', 'x').then(() => undefined, (e: unknown) => e);
    expect(unknown).to.have.property('code', 'USER.NOT_FOUND');
  });

  it('given a new password, then the digest HA1 of the new one replaces the old; a too-short one is refused', async function () {
    const repository = new MemoryRepository();
    const service = new UserService(repository, systemClock, options);
    const bob = await service.create({ username: 'bob', password: 'long enough', phoneNumber: '+14155550102' });
    await service.changePassword(bob.id, 'a new secret');
    expect(repository.credentials.get(bob.id)).to.equal(digestHa1('bob', 'calling.local', 'a new secret'));
    const short = await service.changePassword(bob.id, 'short').then(() => undefined, (e: unknown) => e);
    expect(short).to.have.property('code', 'USER.INVALID');
  });

  it('given a policy changed to required, then the user and its endpoint follow it; an unknown policy is refused', async function () {
    const repository = new MemoryRepository();
    const service = new UserService(repository, systemClock, options);
    const bob = await service.create({ username: 'bob', password: 'long enough', phoneNumber: '+14155550102' });
    expect(bob.mediaEncryption).to.equal('optional');
    const changed = await service.setMediaEncryption(bob.id, 'required');
    expect(changed.mediaEncryption).to.equal('required');
    expect(repository.endpoints.get(bob.id)).to.deep.equal({ mediaEncryption: 'sdes', mediaEncryptionOptimistic: 'no' });
    const bad = await service.setMediaEncryption(bob.id, 'always' as never).then(() => undefined, (e: unknown) => e);
    expect(bad).to.have.property('code', 'USER.INVALID');
    const created = await service.create({ username: 'carol', password: 'long enough', phoneNumber: '+14155550103', mediaEncryption: 'off' });
    expect(created.mediaEncryption).to.equal('off');
    expect(repository.created[1]?.sip.endpoint.mediaEncryption).to.equal('no');
  });
});

describe('user service: changes told to every cache, lookups while the database is away', function () {
  const options = { realm: 'calling.local', maxDevicesPerUser: 5, lookupCacheMs: 1000 };

  it('given a password, suspension or media policy change, then each is told as a change of that user (every instance and switch forgets it) before the service answers', async function () {
    const repository = new MemoryRepository();
    const told: unknown[] = [];
    const service = new UserService(repository, systemClock, { ...options, changes: { changed: (change) => Promise.resolve(void told.push(change)) } });
    const alice = await service.create({ username: 'alice', password: 'correct horse', phoneNumber: '+14155550101' });
    await service.changePassword(alice.id, 'battery staple');
    await service.suspend(alice.id, 'fraud desk');
    await service.setMediaEncryption(alice.id, 'required');
    expect(told).to.deep.equal([1, 2, 3].map(() => ({ kind: 'user', userId: alice.id, username: 'alice' })));
  });

  it('given a user looked up once and its cache entry past its lifetime, when the database fails, then the last known user is served (an emergency call needs its number); a user never looked up still fails', async function () {
    const repository = new MemoryRepository();
    let now = 0;
    const clock = { now: () => new Date(now) };
    const service = new UserService(repository, clock, options);
    const alice = await service.create({ username: 'alice', password: 'correct horse', phoneNumber: '+14155550101' });
    expect(await service.findByUsername('alice')).to.deep.include({ id: alice.id });
    now += 5_000;
    repository.findActiveByUsername = () => Promise.reject(new Error('connection refused'));
    expect(await service.findByUsername('alice'), 'stale while the database is away').to.deep.include({ id: alice.id, phoneNumber: '+14155550101' });
    let failed: unknown;
    await service.findByUsername('bob').catch((error: unknown) => (failed = error));
    expect(failed).to.be.instanceOf(Error);
  });

  it('given a user deleted through another instance (its notice forgets it here), when the database fails, then it is not served from the cache', async function () {
    const repository = new MemoryRepository();
    const service = new UserService(repository, systemClock, options);
    const alice = await service.create({ username: 'alice', password: 'correct horse', phoneNumber: '+14155550101' });
    await service.findByUsername('alice');
    service.forgetCached(alice.id);
    repository.findActiveByUsername = () => Promise.reject(new Error('connection refused'));
    let failed: unknown;
    await service.findByUsername('alice').catch((error: unknown) => (failed = error));
    expect(failed).to.be.instanceOf(Error);
  });
});
