import { expect } from 'chai';
import { parseMessage } from '../../../app/switch/ami-sorcery-cache';
import { sorceryObjectsOf } from '../../../app/switch';

describe('switch: what a change expires from the sorcery memory caches', function () {
  it("given a user's change, then the endpoint, auth and AOR of its phone and browser identities are expired", function () {
    const expired = sorceryObjectsOf({ kind: 'user', userId: 'u-1', username: 'alice' }).map(({ type, id }) => `${type}:${id}`);
    expect(expired).to.have.members(['endpoint:alice', 'auth:alice', 'aor:alice', 'endpoint:alice~web', 'auth:alice~web', 'aor:alice~web']);
  });

  it("given a carrier's change, then its endpoint, auth and AOR are expired; a limit or blocklist change expires nothing in the switch", function () {
    expect(sorceryObjectsOf({ kind: 'carrier', endpointId: 'carrier-7' }).map(({ type, id }) => `${type}:${id}`)).to.have.members(['endpoint:carrier-7', 'auth:carrier-7', 'aor:carrier-7']);
    expect(sorceryObjectsOf({ kind: 'call_policy', userId: 'u-1' })).to.deep.equal([]);
    expect(sorceryObjectsOf({ kind: 'blocklist' })).to.deep.equal([]);
  });

  it("given an AMI answer, then its header lines are read (a value may hold colons)", function () {
    expect(parseMessage('Response: Error\r\nActionID: 3\r\nMessage: The provided object could not be expired from cache: x')).to.deep.equal({ Response: 'Error', ActionID: '3', Message: 'The provided object could not be expired from cache: x' });
  });
});
