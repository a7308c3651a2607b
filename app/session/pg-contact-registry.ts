import { type SqlQueries } from '../shared/infra/sql';
import { fromRealtimeValue } from '../shared/kernel';
import { type ContactRegistry } from './ports';
import { type Connection } from './session';

type ContactRow = { id: string; uri: string | null; expiration_time: bigint | null };

// Registrations are the ps_contacts rows Asterisk's registrar writes through PJSIP realtime.
// Asterisk caches none of them (sorcery.conf), so a removed row is never rung again. Read on every
// call to a user (the devices to ring), so through plain SQL.
export class PgContactRegistry implements ContactRegistry {
  constructor(private readonly sql: SqlQueries) {}

  async activeOf(username: string, now: Date): Promise<Connection[]> {
    const rows = await this.sql.query<ContactRow>(
      'SELECT id, uri, expiration_time FROM ps_contacts WHERE endpoint = $1 AND expiration_time > $2 ORDER BY expiration_time DESC',
      [username, Math.floor(now.getTime() / 1000)],
      'contacts-active-of',
    );
    return rows
      .filter((row) => row.uri)
      .map((row) => ({ connectionId: row.id, contactUri: fromRealtimeValue(row.uri) ?? '', expiresAt: new Date(Number(row.expiration_time ?? 0) * 1000) }));
  }

  async remove(connectionId: string): Promise<void> {
    await this.sql.query('DELETE FROM ps_contacts WHERE id = $1', [connectionId], 'contacts-remove');
  }
}
