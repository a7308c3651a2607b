import { type SqlQueries } from '../shared/infra/sql';
import { fromRealtimeValue } from '../shared/kernel';
import { browserEndpointOf } from '../users';
import { type ContactRegistry } from './ports';
import { type Connection } from './session';

type ContactRow = { id: string; uri: string | null; expiration_time: bigint | null; endpoint: string | null };

// Registrations are the ps_contacts rows Asterisk's registrar writes through PJSIP realtime.
// Asterisk caches none of them (sorcery.conf), so a removed row is never rung again. Read on every
// call to a user (the devices to ring), so through plain SQL.
export class PgContactRegistry implements ContactRegistry {
  constructor(private readonly sql: SqlQueries) {}

  async activeOf(username: string, now: Date): Promise<Connection[]> {
    const rows = await this.sql.query<ContactRow>(
      'SELECT id, uri, expiration_time, endpoint FROM ps_contacts WHERE endpoint IN ($1, $2) AND expiration_time > $3 ORDER BY expiration_time DESC',
      [username, browserEndpointOf(username), Math.floor(now.getTime() / 1000)],
      'contacts-active-of',
    );
    return rows
      .filter((row) => row.uri)
      .map((row) => ({
        connectionId: row.id,
        // Realtime stores a URI's ';' as '^3B' (a browser's contact has ;transport=ws).
        contactUri: fromRealtimeValue(row.uri) ?? '',
        expiresAt: new Date(Number(row.expiration_time ?? 0) * 1000),
        ...(row.endpoint && row.endpoint !== username ? { endpoint: row.endpoint } : {}),
      }));
  }

  async remove(connectionId: string): Promise<void> {
    await this.sql.query('DELETE FROM ps_contacts WHERE id = $1', [connectionId], 'contacts-remove');
  }
}
