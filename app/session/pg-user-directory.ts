import { type SqlQueries } from '../shared/infra/sql';
import { type SessionUser, type UserDirectory } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Reads the users table (owned by the users module) for the identity a session belongs to.
export class PgUserDirectory implements UserDirectory {
  constructor(private readonly sql: SqlQueries) {}

  async findById(id: string): Promise<SessionUser | undefined> {
    if (!UUID.test(id)) return undefined;
    const [row] = await this.sql.query<SessionUser>('SELECT id, username FROM users WHERE id = $1 AND deleted_at IS NULL LIMIT 1', [id], 'session-user-by-id');
    return row;
  }

  async findByUsername(username: string): Promise<SessionUser | undefined> {
    const [row] = await this.sql.query<SessionUser>('SELECT id, username FROM users WHERE username = $1 AND deleted_at IS NULL LIMIT 1', [username], 'session-user-by-username');
    return row;
  }
}
