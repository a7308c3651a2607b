import { expect } from 'chai';
import { digestHa1, sipIdentityFor, UserService, type SipIdentity, type User, type UserRepository } from '../../../app/users';
import { systemClock } from '../../../app/shared/kernel';

class MemoryRepository implements UserRepository {
  created: { user: { username: string; phoneNumber: string }; sip: SipIdentity }[] = [];
  users: User[] = [];
  create(user: { username: string; phoneNumber: string }, sip: SipIdentity): Promise<User> {
    this.created.push({ user, sip });
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
});
