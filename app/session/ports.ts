import { type Connection, type EndReason, type Session } from './session';

// The sessions table. Within a unit of work, every call runs in that unit's transaction.
export interface SessionStore {
  findById(id: string): Promise<Session | undefined>;
  // The session of this connection that has not ended (there is at most one).
  findOpenByConnection(connectionId: string): Promise<Session | undefined>;
  // The most recently ended session of this connection.
  findLastEndedByConnection(connectionId: string): Promise<Session | undefined>;
  // Sessions of the user neither ended nor expired at `now`, oldest first.
  listActiveOfUser(userId: string, now: Date): Promise<Session[]>;
  insert(session: Session): Promise<void>;
  refresh(id: string, changes: Partial<Pick<Session, 'contactUri' | 'transport' | 'userAgent' | 'expiresAt'>> & { refreshedAt: Date }): Promise<void>;
  // Ends the session unless it has already ended; false if it had.
  end(id: string, at: Date, reason: EndReason): Promise<boolean>;
}

// The switch's registrations (ps_contacts, written by Asterisk's registrar).
export interface ContactRegistry {
  // Registrations of this user (its phones' and its browsers' identities) that have not expired at `now`.
  activeOf(username: string, now: Date): Promise<Connection[]>;
  // Removes the registration, so the switch no longer rings that device.
  remove(connectionId: string): Promise<void>;
}

export interface SessionUser {
  id: string;
  username: string;
}

// Active (not deleted) users.
export interface UserDirectory {
  findById(id: string): Promise<SessionUser | undefined>;
  findByUsername(username: string): Promise<SessionUser | undefined>;
}

export interface SessionStores {
  sessions: SessionStore;
  contacts: ContactRegistry;
  users: UserDirectory;
}

// Access to the stores: directly (each call on its own), or in atomic units of work.
export interface SessionPersistence {
  readonly stores: SessionStores;
  transaction<T>(work: (stores: SessionStores) => Promise<T>): Promise<T>;
  // Runs the work at most once per (consumer, eventId), in the same transaction as the mark that
  // it ran; false if an earlier delivery already applied it.
  once(consumer: string, eventId: string, work: (stores: SessionStores) => Promise<void>): Promise<boolean>;
}
