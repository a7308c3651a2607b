import { type Connection, type EndReason, type Session, type SessionPersistence, type SessionStores, type SessionUser } from '../../../app/session';

type Contact = Connection & { username: string };

const resolved = <T>(value: T): Promise<T> => Promise.resolve(value);

// The session ports in memory, for unit tests. A unit of work applies all or nothing: the work
// runs on copies that replace the originals only when it resolves.
export class InMemorySessionPersistence implements SessionPersistence {
  sessions = new Map<string, Session>();
  contacts = new Map<string, Contact>();
  users: SessionUser[] = [];
  processed = new Set<string>();

  get stores(): SessionStores {
    return this.storesOver(this.sessions, this.contacts);
  }

  async transaction<T>(work: (stores: SessionStores) => Promise<T>): Promise<T> {
    const sessions = new Map([...this.sessions].map(([id, s]) => [id, { ...s }]));
    const contacts = new Map(this.contacts);
    const result = await work(this.storesOver(sessions, contacts));
    this.sessions = sessions;
    this.contacts = contacts;
    return result;
  }

  async once(consumer: string, eventId: string, work: (stores: SessionStores) => Promise<void>): Promise<boolean> {
    const key = `${consumer}\u0000${eventId}`;
    if (this.processed.has(key)) return false;
    await this.transaction(work);
    this.processed.add(key);
    return true;
  }

  private storesOver(sessions: Map<string, Session>, contacts: Map<string, Contact>): SessionStores {
    const all = (): Session[] => [...sessions.values()];
    const users = this.users;
    return {
      sessions: {
        findById: (id) => resolved(sessions.get(id)),
        findOpenByConnection: (connectionId) => resolved(all().find((s) => s.connectionId === connectionId && !s.endedAt)),
        findLastEndedByConnection: (connectionId) =>
          resolved(
            all()
              .filter((s) => s.connectionId === connectionId && s.endedAt)
              .sort((a, b) => (b.endedAt?.getTime() ?? 0) - (a.endedAt?.getTime() ?? 0))[0],
          ),
        listActiveOfUser: (userId, now) =>
          resolved(
            all()
              .filter((s) => s.userId === userId && !s.endedAt && (!s.expiresAt || s.expiresAt > now))
              .sort((a, b) => a.registeredAt.getTime() - b.registeredAt.getTime()),
          ),
        insert: (session) => resolved(void sessions.set(session.id, { ...session })),
        refresh: (id, changes) => {
          const s = sessions.get(id);
          if (s && !s.endedAt) sessions.set(id, { ...s, ...changes });
          return resolved(undefined);
        },
        end: (id: string, at: Date, reason: EndReason) => {
          const s = sessions.get(id);
          if (!s || s.endedAt) return resolved(false);
          sessions.set(id, { ...s, endedAt: at, endReason: reason });
          return resolved(true);
        },
      },
      contacts: {
        activeOf: (username, now) =>
          resolved([...contacts.values()].filter((c) => c.username === username && c.expiresAt > now).map(({ username: _u, ...c }) => c)),
        remove: (connectionId) => resolved(void contacts.delete(connectionId)),
      },
      users: {
        findById: (id) => resolved(users.find((u) => u.id === id)),
        findByUsername: (username) => resolved(users.find((u) => u.username === username)),
      },
    };
  }
}
