import { type SqlQueries } from '../shared/infra/sql';
import { type StoredBans } from './ports';

// edge_bans (migration 20261208014500_edge_bans): the app's role may only delete from it.
export class PgStoredBans implements StoredBans {
  constructor(private readonly sql: SqlQueries) {}

  async forget(address: string): Promise<void> {
    await this.sql.query('DELETE FROM edge_bans WHERE key_name = $1', [address], 'edge-bans-forget');
  }
}
