import { expect } from 'chai';
import { UserCache } from '../../../app/users/user-cache';

import { type User } from '../../../app/users';

const user = (id: string): User => ({ id, username: `user-${id}`, phoneNumber: '+14155550101', createdAt: new Date(0), mediaEncryption: 'optional' });

describe('user cache of the call path', function () {
  it('serves a user until its time to live passes', function () {
    let now = 0;
    const cache = new UserCache(1000, 10, () => now);
    cache.set('u:alice', user('1'));
    now = 999;
    expect(cache.get('u:alice')?.id).to.equal('1');
    now = 1000;
    expect(cache.get('u:alice')).to.equal(undefined);
  });

  it('forgets every key of a deleted user at once', function () {
    const cache = new UserCache(60_000, 10);
    cache.set('u:alice', user('1'));
    cache.set('n:+14155550101', user('1'));
    cache.set('u:bob', user('2'));
    cache.forgetUser(user('1'));
    expect(cache.get('u:alice')).to.equal(undefined);
    expect(cache.get('n:+14155550101')).to.equal(undefined);
    expect(cache.get('u:bob')?.id).to.equal('2');
  });

  it('keeps at most its size, dropping the oldest entry', function () {
    const cache = new UserCache(60_000, 2);
    cache.set('a', user('1'));
    cache.set('b', user('2'));
    cache.set('c', user('3'));
    expect(cache.get('a')).to.equal(undefined);
    expect(cache.get('c')?.id).to.equal('3');
  });
});
