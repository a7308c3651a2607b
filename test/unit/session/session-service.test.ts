import { expect } from 'chai';
import { CONNECTION_SUBJECTS, type ConnectionEvent } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { ConnectionInUseError, SessionAlreadyEndedError, SessionNotFoundError, SessionService } from '../../../app/session';
import { UserNotFoundError } from '../../../app/users';
import { InMemorySessionPersistence } from '../../support/fakes/in-memory-session-persistence';

const ALICE = { id: '00000000-0000-4000-8000-00000000000a', username: 'alice' };
const T0 = new Date('2026-11-25T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const CONNECTION = 'alice^3B@0a1b2c';
const URI = 'sip:alice@127.0.0.1:40000';

let eventCounter = 0;
function event(type: ConnectionEvent['type'], seconds: number, extra: Record<string, unknown> = {}): ConnectionEvent {
  eventCounter += 1;
  return {
    id: `event-${eventCounter}`,
    version: 1,
    type,
    occurredAt: at(seconds).toISOString(),
    username: 'alice',
    connectionId: CONNECTION,
    contactUri: URI,
    ...extra,
  };
}
const registered = (seconds: number, expiresIn = 300): ConnectionEvent =>
  event(CONNECTION_SUBJECTS.registered, seconds, { transport: 'udp', userAgent: 'sipp-device', expiresAt: at(seconds + expiresIn).toISOString() });
const refreshed = (seconds: number, expiresIn = 300): ConnectionEvent => event(CONNECTION_SUBJECTS.refreshed, seconds, { expiresAt: at(seconds + expiresIn).toISOString() });

describe('session service', function () {
  let store: InMemorySessionPersistence;
  let now: Date;
  let ids: number;
  let service: SessionService;

  beforeEach(function () {
    store = new InMemorySessionPersistence();
    store.users.push(ALICE);
    now = at(1);
    ids = 0;
    service = new SessionService({ persistence: store, clock: { now: () => now }, log: silentLogger, newId: () => `session-${++ids}` });
  });

  const only = (): ReturnType<typeof store.sessions.get> => {
    expect(store.sessions.size).to.equal(1);
    return [...store.sessions.values()][0];
  };

  describe('connection events', function () {
    it('given a known user, when a device registers, then an active session records its contact, transport, user agent and expiry', async function () {
      await service.handleConnectionEvent(registered(0));
      expect(only()).to.deep.equal({
        id: 'session-1',
        userId: ALICE.id,
        username: 'alice',
        connectionId: CONNECTION,
        contactUri: URI,
        transport: 'udp',
        userAgent: 'sipp-device',
        registeredAt: at(0),
        refreshedAt: at(0),
        expiresAt: at(300),
      });
      expect((await service.getSessions(ALICE.id)).map((s) => s.id)).to.deep.equal(['session-1']);
    });

    it('given an active session, when the device refreshes, then the same session gets the new expiry', async function () {
      await service.handleConnectionEvent(registered(0));
      await service.handleConnectionEvent(refreshed(240, 300));
      expect(only()).to.include({ id: 'session-1' });
      expect(only()?.refreshedAt).to.deep.equal(at(240));
      expect(only()?.expiresAt).to.deep.equal(at(540));
      expect(only()?.registeredAt).to.deep.equal(at(0));
    });

    it('given an active session, when the same connection registers again, then that session is refreshed, not duplicated', async function () {
      await service.handleConnectionEvent(registered(0));
      await service.handleConnectionEvent(registered(60, 600));
      expect(only()).to.include({ id: 'session-1' });
      expect(only()?.expiresAt).to.deep.equal(at(660));
    });

    it('given no session (events from before the service ran), when a refresh comes, then a session is created from it', async function () {
      await service.handleConnectionEvent(refreshed(10));
      expect(only()).to.include({ id: 'session-1', userId: ALICE.id, contactUri: URI });
      expect(only()?.registeredAt).to.deep.equal(at(10));
      expect(only()?.transport).to.equal(undefined);
    });

    it('when the device unregisters, then its session ends with reason unregistered at that moment', async function () {
      await service.handleConnectionEvent(registered(0));
      await service.handleConnectionEvent(event(CONNECTION_SUBJECTS.unregistered, 30));
      expect(only()).to.include({ endReason: 'unregistered' });
      expect(only()?.endedAt).to.deep.equal(at(30));
      expect(await service.getSessions(ALICE.id)).to.deep.equal([]);
    });

    it('when the switch prunes an expired registration later, then the session ended when it expired', async function () {
      await service.handleConnectionEvent(registered(0, 60));
      await service.handleConnectionEvent(event(CONNECTION_SUBJECTS.expired, 85));
      expect(only()).to.include({ endReason: 'expired' });
      expect(only()?.endedAt).to.deep.equal(at(60));
    });

    it('given an ended session, when the device registers again, then a new session starts', async function () {
      await service.handleConnectionEvent(registered(0));
      await service.handleConnectionEvent(event(CONNECTION_SUBJECTS.unregistered, 30));
      await service.handleConnectionEvent(registered(40));
      expect(store.sessions.size).to.equal(2);
      expect((await service.getSessions(ALICE.id)).map((s) => s.id)).to.deep.equal(['session-2']);
    });

    it('when an event is delivered twice, then the second delivery changes nothing', async function () {
      const first = registered(0);
      await service.handleConnectionEvent(first);
      await service.handleConnectionEvent(refreshed(100));
      const before = structuredClone([...store.sessions.values()]);
      await service.handleConnectionEvent(first);
      expect([...store.sessions.values()]).to.deep.equal(before);
      const end = event(CONNECTION_SUBJECTS.unregistered, 120);
      await service.handleConnectionEvent(end);
      await service.handleConnectionEvent(registered(130));
      const after = structuredClone([...store.sessions.values()]);
      await service.handleConnectionEvent(end);
      expect([...store.sessions.values()]).to.deep.equal(after);
    });

    it('given an event redelivered after later ones, then it does not undo them', async function () {
      await service.handleConnectionEvent(registered(0));
      await service.handleConnectionEvent(refreshed(200));
      await service.handleConnectionEvent(refreshed(100));
      await service.handleConnectionEvent(event(CONNECTION_SUBJECTS.unregistered, 150));
      expect(only()?.endedAt).to.equal(undefined);
      expect(only()?.refreshedAt).to.deep.equal(at(200));
    });

    it('given a username that is no user (a trunk, a deleted user), when it registers, then no session is created', async function () {
      await service.handleConnectionEvent({ ...registered(0), username: '_carrier' });
      expect(store.sessions.size).to.equal(0);
    });

    it('when an unregistration comes for a connection without a session, then nothing happens', async function () {
      await service.handleConnectionEvent(event(CONNECTION_SUBJECTS.unregistered, 5));
      expect(store.sessions.size).to.equal(0);
    });
  });

  describe('createSession and getSessions', function () {
    it('given a user, when a session is created, then it is listed among the active sessions', async function () {
      const session = await service.createSession(ALICE.id, CONNECTION, { contactUri: URI, transport: 'tcp', expiresAt: at(300) });
      expect(session).to.include({ id: 'session-1', username: 'alice', transport: 'tcp' });
      expect(session.registeredAt).to.deep.equal(now);
      expect(await service.getSessions(ALICE.id)).to.deep.equal([session]);
    });

    it('given an unknown user, then createSession and getSessions fail with USER.NOT_FOUND', async function () {
      const unknown = '00000000-0000-4000-8000-0000000000ff';
      await expectRejection(service.createSession(unknown, CONNECTION, { contactUri: URI }), UserNotFoundError);
      await expectRejection(service.getSessions(unknown), UserNotFoundError);
    });

    it('given an active session on the connection, when another is created for it, then SESSION.CONNECTION_IN_USE', async function () {
      await service.createSession(ALICE.id, CONNECTION, { contactUri: URI });
      await expectRejection(service.createSession(ALICE.id, CONNECTION, { contactUri: URI }), ConnectionInUseError);
    });

    it('getSessions leaves out ended sessions and sessions past their expiry', async function () {
      await service.createSession(ALICE.id, 'c1', { contactUri: 'sip:a@h:1', registeredAt: at(0), expiresAt: at(10) });
      const ended = await service.createSession(ALICE.id, 'c2', { contactUri: 'sip:a@h:2', registeredAt: at(0) });
      await service.logoutSession(ended.id);
      const live = await service.createSession(ALICE.id, 'c3', { contactUri: 'sip:a@h:3', registeredAt: at(0), expiresAt: at(600) });
      now = at(20);
      expect((await service.getSessions(ALICE.id)).map((s) => s.id)).to.deep.equal([live.id]);
    });
  });

  describe('logoutSession', function () {
    beforeEach(function () {
      store.contacts.set(CONNECTION, { connectionId: CONNECTION, contactUri: URI, expiresAt: at(300), username: 'alice' });
    });

    it('when an active session is logged out, then it ends as logged_out and its registration is removed so it is not rung', async function () {
      await service.handleConnectionEvent(registered(0));
      expect(await service.connectionsOf('alice')).to.have.length(1);
      now = at(50);
      const ended = await service.logoutSession('session-1');
      expect(ended).to.include({ endReason: 'logged_out' });
      expect(only()).to.include({ endReason: 'logged_out' });
      expect(only()?.endedAt).to.deep.equal(at(50));
      expect(await service.connectionsOf('alice')).to.deep.equal([]);
      expect(await service.getSessions(ALICE.id)).to.deep.equal([]);
    });

    it('given a logged-out session, when the unregistration its removal caused arrives, then nothing changes', async function () {
      await service.handleConnectionEvent(registered(0));
      now = at(50);
      await service.logoutSession('session-1');
      await service.handleConnectionEvent(event(CONNECTION_SUBJECTS.unregistered, 50.01));
      expect(only()).to.include({ endReason: 'logged_out' });
    });

    it('given a refresh that happened before the logout but arrives after it, then no new session is created; a later registration starts one', async function () {
      await service.handleConnectionEvent(registered(0));
      now = at(50);
      await service.logoutSession('session-1');
      await service.handleConnectionEvent(refreshed(49));
      expect(store.sessions.size).to.equal(1);
      await service.handleConnectionEvent(registered(120));
      expect((await service.getSessions(ALICE.id)).map((s) => s.id)).to.deep.equal(['session-2']);
    });

    it('given an ended or unknown session, then SESSION.ALREADY_ENDED or SESSION.NOT_FOUND, and nothing changes', async function () {
      await service.handleConnectionEvent(registered(0));
      await service.handleConnectionEvent(event(CONNECTION_SUBJECTS.unregistered, 10));
      await expectRejection(service.logoutSession('session-1'), SessionAlreadyEndedError);
      expect(only()).to.include({ endReason: 'unregistered' });
      expect(store.contacts.size).to.equal(1);
      await expectRejection(service.logoutSession('no-such-session'), SessionNotFoundError);
    });
  });

  describe('connectionsOf', function () {
    it('returns every unexpired registration of the user, with or without a session', async function () {
      store.contacts.set('a', { connectionId: 'a', contactUri: 'sip:alice@h:1', expiresAt: at(300), username: 'alice' });
      store.contacts.set('b', { connectionId: 'b', contactUri: 'sip:alice@h:2', expiresAt: at(0), username: 'alice' });
      store.contacts.set('c', { connectionId: 'c', contactUri: 'sip:bob@h:3', expiresAt: at(300), username: 'bob' });
      expect((await service.connectionsOf('alice')).map((c) => c.contactUri)).to.deep.equal(['sip:alice@h:1']);
    });
  });
});

async function expectRejection(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    return;
  }
  expect.fail(`expected a ${type.name}`);
}
