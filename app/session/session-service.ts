import { randomUUID } from 'node:crypto';
import { type ConnectionEvent, CONSUMERS } from '../shared/events';
import { type Clock } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { UserNotFoundError } from '../users';
import { applyConnectionEvent } from './connection-events';
import { type SessionPersistence } from './ports';
import { type Connection, type ConnectionDetails, ConnectionInUseError, type Session, SessionAlreadyEndedError, SessionNotFoundError } from './session';

export interface SessionServiceDeps {
  persistence: SessionPersistence;
  clock: Clock;
  log: Logger;
  newId?: () => string;
  // The durable consumer whose deliveries handleConnectionEvent applies.
  consumer?: string;
}

// A user's sessions (one per registered device, over time) and the devices to ring now.
export class SessionService {
  private readonly newId: () => string;
  private readonly consumer: string;

  constructor(private readonly deps: SessionServiceDeps) {
    this.newId = deps.newId ?? randomUUID;
    this.consumer = deps.consumer ?? CONSUMERS.sessions.name;
  }

  async createSession(userId: string, connectionId: string, details: ConnectionDetails): Promise<Session> {
    return this.deps.persistence.transaction(async ({ sessions, users }) => {
      const user = await users.findById(userId);
      if (!user) throw new UserNotFoundError(userId);
      const open = await sessions.findOpenByConnection(connectionId);
      if (open) throw new ConnectionInUseError(connectionId, open.id);
      const now = this.deps.clock.now();
      const registeredAt = details.registeredAt ?? now;
      const session: Session = {
        id: this.newId(),
        userId: user.id,
        username: user.username,
        connectionId,
        contactUri: details.contactUri,
        ...(details.transport ? { transport: details.transport } : {}),
        ...(details.userAgent ? { userAgent: details.userAgent } : {}),
        registeredAt,
        refreshedAt: registeredAt,
        ...(details.expiresAt ? { expiresAt: details.expiresAt } : {}),
      };
      await sessions.insert(session);
      return session;
    });
  }

  // Sessions neither ended nor expired, oldest first.
  async getSessions(userId: string): Promise<Session[]> {
    const { users, sessions } = this.deps.persistence.stores;
    if (!(await users.findById(userId))) throw new UserNotFoundError(userId);
    return sessions.listActiveOfUser(userId, this.deps.clock.now());
  }

  // Ends the session and removes its registration from the switch, in one transaction, so the
  // device is no longer rung. The device is not banned: its next REGISTER starts a new session.
  async logoutSession(sessionId: string): Promise<Session> {
    const ended = await this.deps.persistence.transaction(async ({ sessions, contacts }) => {
      const session = await sessions.findById(sessionId);
      if (!session) throw new SessionNotFoundError(sessionId);
      if (session.endedAt) throw new SessionAlreadyEndedError(sessionId, session.endReason);
      const at = this.deps.clock.now();
      if (!(await sessions.end(session.id, at, 'logged_out'))) throw new SessionAlreadyEndedError(sessionId, undefined);
      await contacts.remove(session.connectionId);
      return { ...session, endedAt: at, endReason: 'logged_out' as const };
    });
    this.deps.log.info('session logged out', { sessionId, userId: ended.userId, connectionId: ended.connectionId });
    return ended;
  }

  // Which devices to ring for a call to this user: the switch's current registrations, read
  // directly so that a device is rung as soon as it registered.
  async connectionsOf(username: string): Promise<Connection[]> {
    return this.deps.persistence.stores.contacts.activeOf(username, this.deps.clock.now());
  }

  // The sessions consumer's handler: idempotent, so a redelivered event changes nothing.
  async handleConnectionEvent(event: ConnectionEvent): Promise<void> {
    const log = this.deps.log.child({ eventId: event.id, type: event.type, connectionId: event.connectionId, username: event.username });
    let result: Awaited<ReturnType<typeof applyConnectionEvent>> | undefined;
    const applied = await this.deps.persistence.once(this.consumer, event.id, async (stores) => {
      result = await applyConnectionEvent(event, stores, this.newId);
    });
    if (!applied) log.debug('connection event already applied');
    else if (result?.outcome === 'ignored') log.debug('connection event ignored', { reason: result.reason, sessionId: result.sessionId });
    else log.info('connection event applied', { outcome: result?.outcome, sessionId: result?.sessionId });
  }
}
