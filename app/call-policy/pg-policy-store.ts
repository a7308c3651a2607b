import { type SqlQueries } from '../shared/infra/sql';
import { type BlockedPrefix, type CallPolicyChange, type CallPolicySettings, type PolicyStore } from './ports';

type SettingsRow = { max_calls: number | null; max_pstn_calls: number | null; pstn_calls_per_hour: number | null; daily_spend_cap_minor: string | null; clir: boolean | null };

const COLUMNS = { maxCalls: 'max_calls', maxPstnCalls: 'max_pstn_calls', pstnCallsPerHour: 'pstn_calls_per_hour', dailySpendCapMinor: 'daily_spend_cap_minor', clir: 'clir' } as const;

// The user's own override, else its plan's default (accounts is billing's table: only its plan id
// is read here, in the same statement, to keep one round trip per call).
const SETTINGS = `
  SELECT COALESCE(u.max_calls, p.max_calls) AS max_calls, COALESCE(u.max_pstn_calls, p.max_pstn_calls) AS max_pstn_calls,
         COALESCE(u.pstn_calls_per_hour, p.pstn_calls_per_hour) AS pstn_calls_per_hour,
         COALESCE(u.daily_spend_cap_minor, p.daily_spend_cap_minor)::text AS daily_spend_cap_minor, u.clir
    FROM (SELECT $1::uuid AS user_id) x
    LEFT JOIN user_call_policies u ON u.user_id = x.user_id
    LEFT JOIN accounts a ON a.user_id = x.user_id
    LEFT JOIN plan_call_policies p ON p.plan_id = a.plan_id`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function settingsOf(row: SettingsRow | undefined): CallPolicySettings {
  return {
    ...(row?.max_calls !== undefined && row.max_calls !== null ? { maxCalls: row.max_calls } : {}),
    ...(row?.max_pstn_calls !== undefined && row.max_pstn_calls !== null ? { maxPstnCalls: row.max_pstn_calls } : {}),
    ...(row?.pstn_calls_per_hour !== undefined && row.pstn_calls_per_hour !== null ? { pstnCallsPerHour: row.pstn_calls_per_hour } : {}),
    ...(row?.daily_spend_cap_minor !== undefined && row.daily_spend_cap_minor !== null ? { dailySpendCapMinor: BigInt(row.daily_spend_cap_minor) } : {}),
    clir: row?.clir === true,
  };
}

// The admission rules' settings and blocklist through plain SQL.
export class PgPolicyStore implements PolicyStore {
  constructor(private readonly sql: SqlQueries) {}

  async settingsOf(userId: string): Promise<CallPolicySettings> {
    if (!UUID.test(userId)) return { clir: false };
    const [row] = await this.sql.query<SettingsRow>(SETTINGS, [userId], 'policy-settings-of');
    return settingsOf(row);
  }

  async chargedSince(userId: string, since: Date): Promise<bigint> {
    const [row] = await this.sql.query<{ total: string | null }>(
      `SELECT SUM(amount_minor)::text AS total FROM ledger_entries WHERE user_id = $1 AND kind = 'charge' AND created_at >= $2`,
      [userId, since],
      'policy-charged-since',
    );
    return BigInt(row?.total ?? '0');
  }

  async setUserSettings(userId: string, change: CallPolicyChange): Promise<boolean> {
    if (!UUID.test(userId)) return false;
    const [user] = await this.sql.query<{ id: string }>('SELECT id FROM users WHERE id = $1 AND deleted_at IS NULL', [userId]);
    if (!user) return false;
    await this.upsert('user_call_policies', 'user_id', userId, change);
    return true;
  }

  async setPlanSettings(planId: string, change: Omit<CallPolicyChange, 'clir'>): Promise<boolean> {
    if (!UUID.test(planId)) return false;
    const [plan] = await this.sql.query<{ id: string }>('SELECT id FROM price_plans WHERE id = $1', [planId]);
    if (!plan) return false;
    await this.upsert('plan_call_policies', 'plan_id', planId, change);
    return true;
  }

  async ownSettingsOf(kind: 'user' | 'plan', id: string): Promise<Omit<CallPolicySettings, 'clir'> & { clir?: boolean }> {
    if (!UUID.test(id)) return {};
    const table = kind === 'user' ? 'user_call_policies' : 'plan_call_policies';
    const clir = kind === 'user' ? 'clir' : 'NULL::boolean AS clir';
    const [row] = await this.sql.query<SettingsRow>(
      `SELECT max_calls, max_pstn_calls, pstn_calls_per_hour, daily_spend_cap_minor::text AS daily_spend_cap_minor, ${clir} FROM ${table} WHERE ${kind}_id = $1`,
      [id],
    );
    const { clir: ownClir, ...rest } = settingsOf(row);
    return kind === 'user' ? { ...rest, clir: ownClir } : rest;
  }

  async blockedPrefixes(now: Date): Promise<BlockedPrefix[]> {
    const rows = await this.sql.query<{ prefix: string; reason: string; expires_at: Date | null }>(
      'SELECT prefix, reason, expires_at FROM blocked_prefixes WHERE expires_at IS NULL OR expires_at > $1 ORDER BY prefix',
      [now],
    );
    return rows.map((row) => ({ prefix: row.prefix, reason: row.reason, ...(row.expires_at ? { expiresAt: row.expires_at } : {}) }));
  }

  async block(entry: BlockedPrefix): Promise<void> {
    await this.sql.query(
      `INSERT INTO blocked_prefixes (prefix, reason, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (prefix) DO UPDATE SET reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at`,
      [entry.prefix, entry.reason, entry.expiresAt ?? null],
    );
  }

  async unblock(prefix: string): Promise<boolean> {
    return (await this.sql.query('DELETE FROM blocked_prefixes WHERE prefix = $1 RETURNING prefix', [prefix])).length > 0;
  }

  // Only the columns the change names are written (null clears one).
  private async upsert(table: string, key: string, id: string, change: CallPolicyChange): Promise<void> {
    const entries = (Object.keys(COLUMNS) as (keyof typeof COLUMNS)[]).filter((field) => change[field] !== undefined);
    const columns = entries.map((field) => COLUMNS[field]);
    const values = entries.map((field) => {
      const value = change[field];
      return typeof value === 'bigint' ? value.toString() : value;
    });
    const set = columns.map((column, i) => `${column} = $${i + 2}`);
    await this.sql.query(
      `INSERT INTO ${table} (${[key, ...columns].join(', ')}) VALUES (${[id, ...values].map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (${key}) DO UPDATE SET ${[...set, 'updated_at = now()'].join(', ')}`,
      [id, ...values],
    );
  }
}
