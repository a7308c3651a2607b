import { type SqlQueries } from '../shared/infra/sql';
import { type UserLookups } from './ports';
import { DEFAULT_MEDIA_ENCRYPTION, isMediaEncryption, type User } from './user';

type UserRow = { id: string; username: string; phone_number: string; created_at: Date; suspended_at: Date | null; suspension_reason: string | null; media_encryption: string };

const toUser = (row: UserRow): User => ({
  id: row.id,
  username: row.username,
  phoneNumber: row.phone_number,
  createdAt: row.created_at,
  mediaEncryption: isMediaEncryption(row.media_encryption) ? row.media_encryption : DEFAULT_MEDIA_ENCRYPTION,
  ...(row.suspended_at ? { suspended: { reason: row.suspension_reason ?? '', at: row.suspended_at } } : {}),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = 'id, username, phone_number, created_at, suspended_at, suspension_reason, media_encryption';

// Active (not deleted) users by id, username or number, through plain SQL: the caller and the
// callee of a call are looked up here whenever the call path's cache does not have them.
export class PgUserLookups implements UserLookups {
  constructor(private readonly sql: SqlQueries) {}

  async findActiveById(id: string): Promise<User | undefined> {
    if (!UUID.test(id)) return undefined;
    const [row] = await this.sql.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1 AND deleted_at IS NULL LIMIT 1`, [id], 'users-active-by-id');
    return row && toUser(row);
  }

  async findActiveByUsername(username: string): Promise<User | undefined> {
    const [row] = await this.sql.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE username = $1 AND deleted_at IS NULL LIMIT 1`, [username], 'users-active-by-username');
    return row && toUser(row);
  }

  async findActiveByPhoneNumber(phoneNumber: string): Promise<User | undefined> {
    const [row] = await this.sql.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE phone_number = $1 AND deleted_at IS NULL LIMIT 1`, [phoneNumber], 'users-active-by-number');
    return row && toUser(row);
  }
}
