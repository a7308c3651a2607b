import { type SqlQueries } from '../shared/infra/sql';
import { type SessionStore } from './ports';
import { END_REASONS, type EndReason, type Session } from './session';

type SessionRow = {
  id: string;
  user_id: string;
  username: string;
  connection_id: string;
  contact_uri: string;
  transport: string | null;
  user_agent: string | null;
  registered_at: Date;
  refreshed_at: Date;
  expires_at: Date | null;
  ended_at: Date | null;
  end_reason: string | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = 'id, user_id, username, connection_id, contact_uri, transport, user_agent, registered_at, refreshed_at, expires_at, ended_at, end_reason';

const isEndReason = (value: string | null): value is EndReason => (END_REASONS as readonly (string | null)[]).includes(value);

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    username: row.username,
    connectionId: row.connection_id,
    contactUri: row.contact_uri,
    ...(row.transport !== null ? { transport: row.transport } : {}),
    ...(row.user_agent !== null ? { userAgent: row.user_agent } : {}),
    registeredAt: row.registered_at,
    refreshedAt: row.refreshed_at,
    ...(row.expires_at !== null ? { expiresAt: row.expires_at } : {}),
    ...(row.ended_at !== null ? { endedAt: row.ended_at } : {}),
    ...(isEndReason(row.end_reason) ? { endReason: row.end_reason } : {}),
  };
}

// The sessions table through plain SQL, on the connection given: the pool, or a transaction's.
export class PgSessionStore implements SessionStore {
  constructor(private readonly sql: SqlQueries) {}

  async findById(id: string): Promise<Session | undefined> {
    if (!UUID.test(id)) return undefined;
    const [row] = await this.sql.query<SessionRow>(`SELECT ${COLUMNS} FROM sessions WHERE id = $1`, [id], 'session-by-id');
    return row ? toSession(row) : undefined;
  }

  async findOpenByConnection(connectionId: string): Promise<Session | undefined> {
    const [row] = await this.sql.query<SessionRow>(
      `SELECT ${COLUMNS} FROM sessions WHERE connection_id = $1 AND ended_at IS NULL ORDER BY registered_at DESC LIMIT 1`,
      [connectionId],
      'session-open-by-connection',
    );
    return row ? toSession(row) : undefined;
  }

  async findLastEndedByConnection(connectionId: string): Promise<Session | undefined> {
    const [row] = await this.sql.query<SessionRow>(
      `SELECT ${COLUMNS} FROM sessions WHERE connection_id = $1 AND ended_at IS NOT NULL ORDER BY ended_at DESC LIMIT 1`,
      [connectionId],
      'session-last-ended-by-connection',
    );
    return row ? toSession(row) : undefined;
  }

  async listActiveOfUser(userId: string, now: Date): Promise<Session[]> {
    if (!UUID.test(userId)) return [];
    const rows = await this.sql.query<SessionRow>(
      `SELECT ${COLUMNS} FROM sessions WHERE user_id = $1 AND ended_at IS NULL AND (expires_at IS NULL OR expires_at > $2) ORDER BY registered_at, id`,
      [userId, now],
      'session-active-of-user',
    );
    return rows.map(toSession);
  }

  async insert(session: Session): Promise<void> {
    await this.sql.query(
      `INSERT INTO sessions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        session.id,
        session.userId,
        session.username,
        session.connectionId,
        session.contactUri,
        session.transport ?? null,
        session.userAgent ?? null,
        session.registeredAt,
        session.refreshedAt,
        session.expiresAt ?? null,
        session.endedAt ?? null,
        session.endReason ?? null,
      ],
      'session-insert',
    );
  }

  async refresh(id: string, changes: Partial<Pick<Session, 'contactUri' | 'transport' | 'userAgent' | 'expiresAt'>> & { refreshedAt: Date }): Promise<void> {
    // A detail not given keeps its value (the port has no way to clear one). An ended session
    // stays as it ended.
    await this.sql.query(
      `UPDATE sessions SET contact_uri = COALESCE($2, contact_uri), transport = COALESCE($3, transport), user_agent = COALESCE($4, user_agent),
              expires_at = COALESCE($5, expires_at), refreshed_at = $6
        WHERE id = $1 AND ended_at IS NULL`,
      [id, changes.contactUri ?? null, changes.transport ?? null, changes.userAgent ?? null, changes.expiresAt ?? null, changes.refreshedAt],
      'session-refresh',
    );
  }

  async end(id: string, at: Date, reason: EndReason): Promise<boolean> {
    const rows = await this.sql.query('UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE id = $1 AND ended_at IS NULL RETURNING id', [id, at, reason], 'session-end');
    return rows.length > 0;
  }
}
