import { type Sql } from '../shared/infra/sql';
import { type Operator, type Role } from './operator';

interface SessionDbRow {
  id: string;
  username: string;
  role: Role;
  created_at: Date;
  csrf_token: string;
}

// Console sessions in operator_sessions: found by the SHA-256 of the cookie's secret, only while
// unexpired and while the operator is active.
export class PgConsoleSessions {
  constructor(private readonly sql: Sql) {}

  async insert(idHash: Buffer, operatorId: string, csrfToken: string, createdAt: Date, expiresAt: Date): Promise<void> {
    await this.sql.query('INSERT INTO operator_sessions (id_hash, operator_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      idHash,
      operatorId,
      csrfToken,
      createdAt,
      expiresAt,
    ]);
    // Expired sessions go as new ones come.
    await this.sql.query('DELETE FROM operator_sessions WHERE expires_at < $1', [createdAt]);
  }

  async find(idHash: Buffer, at: Date): Promise<{ operator: Operator; csrfToken: string } | undefined> {
    const [row] = await this.sql.query<SessionDbRow>(
      `SELECT o.id, o.username, o.role, o.created_at, s.csrf_token FROM operator_sessions s JOIN operators o ON o.id = s.operator_id
       WHERE s.id_hash = $1 AND s.expires_at > $2 AND o.disabled_at IS NULL`,
      [idHash, at],
      'console-session-find',
    );
    return row && { operator: { id: row.id, username: row.username, role: row.role, createdAt: row.created_at }, csrfToken: row.csrf_token };
  }

  async delete(idHash: Buffer): Promise<void> {
    await this.sql.query('DELETE FROM operator_sessions WHERE id_hash = $1', [idHash]);
  }
}
