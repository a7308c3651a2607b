import { type Prisma } from '../shared/infra/prisma/generated/client';
import { type SessionStore } from './ports';
import { END_REASONS, type EndReason, type Session } from './session';

type SessionRow = {
  id: string;
  userId: string;
  username: string;
  connectionId: string;
  contactUri: string;
  transport: string | null;
  userAgent: string | null;
  registeredAt: Date;
  refreshedAt: Date;
  expiresAt: Date | null;
  endedAt: Date | null;
  endReason: string | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isEndReason = (value: string | null): value is EndReason => (END_REASONS as readonly (string | null)[]).includes(value);

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.userId,
    username: row.username,
    connectionId: row.connectionId,
    contactUri: row.contactUri,
    ...(row.transport !== null ? { transport: row.transport } : {}),
    ...(row.userAgent !== null ? { userAgent: row.userAgent } : {}),
    registeredAt: row.registeredAt,
    refreshedAt: row.refreshedAt,
    ...(row.expiresAt !== null ? { expiresAt: row.expiresAt } : {}),
    ...(row.endedAt !== null ? { endedAt: row.endedAt } : {}),
    ...(isEndReason(row.endReason) ? { endReason: row.endReason } : {}),
  };
}

// The sessions table, through the client given: the database, or a transaction of it.
export class PrismaSessionStore implements SessionStore {
  constructor(private readonly db: Prisma.TransactionClient) {}

  async findById(id: string): Promise<Session | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = await this.db.session.findUnique({ where: { id } });
    return row ? toSession(row) : undefined;
  }

  async findOpenByConnection(connectionId: string): Promise<Session | undefined> {
    const row = await this.db.session.findFirst({ where: { connectionId, endedAt: null }, orderBy: { registeredAt: 'desc' } });
    return row ? toSession(row) : undefined;
  }

  async findLastEndedByConnection(connectionId: string): Promise<Session | undefined> {
    const row = await this.db.session.findFirst({ where: { connectionId, endedAt: { not: null } }, orderBy: { endedAt: 'desc' } });
    return row ? toSession(row) : undefined;
  }

  async listActiveOfUser(userId: string, now: Date): Promise<Session[]> {
    if (!UUID.test(userId)) return [];
    const rows = await this.db.session.findMany({
      where: { userId, endedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      orderBy: [{ registeredAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toSession);
  }

  async insert(session: Session): Promise<void> {
    await this.db.session.create({
      data: {
        id: session.id,
        userId: session.userId,
        username: session.username,
        connectionId: session.connectionId,
        contactUri: session.contactUri,
        transport: session.transport ?? null,
        userAgent: session.userAgent ?? null,
        registeredAt: session.registeredAt,
        refreshedAt: session.refreshedAt,
        expiresAt: session.expiresAt ?? null,
        endedAt: session.endedAt ?? null,
        endReason: session.endReason ?? null,
      },
    });
  }

  async refresh(id: string, changes: Partial<Pick<Session, 'contactUri' | 'transport' | 'userAgent' | 'expiresAt'>> & { refreshedAt: Date }): Promise<void> {
    // An ended session stays as it ended.
    await this.db.session.updateMany({ where: { id, endedAt: null }, data: changes });
  }

  async end(id: string, at: Date, reason: EndReason): Promise<boolean> {
    const { count } = await this.db.session.updateMany({ where: { id, endedAt: null }, data: { endedAt: at, endReason: reason } });
    return count > 0;
  }
}
