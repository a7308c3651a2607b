import { type Sql } from '../shared/infra/sql';
import { type AlarmFigures, type AlarmThresholds } from './alarm';

// The database's part of the figures: carriers' recent calls, low balances, destination counts.
export class PgAlarmFigures {
  constructor(private readonly sql: Sql) {}

  async read(t: AlarmThresholds, now: Date): Promise<Pick<AlarmFigures, 'carriers' | 'lowBalances' | 'destinations'>> {
    const minutesAgo = (minutes: number): Date => new Date(now.getTime() - minutes * 60_000);
    const [carriers, lowBalances, destinations] = await Promise.all([
      this.sql.query<{ carrier_id: string; name: string; calls: string; answered: string }>(
        // Every carrier attempt counts for its own carrier (a failed-over call is a failure of the first).
        `SELECT a->>'carrierId' AS carrier_id, coalesce(c.name, a->>'carrierId') AS name, count(*) AS calls,
                count(*) FILTER (WHERE a->>'outcome' = 'answered') AS answered
         FROM call_records cr CROSS JOIN LATERAL jsonb_array_elements(cr.attempts) a LEFT JOIN carriers c ON c.id::text = a->>'carrierId'
         WHERE cr.requested_at >= $1 AND a->>'carrierId' IS NOT NULL GROUP BY 1, 2`,
        [minutesAgo(t.carrierAsrWindowMinutes)],
        'alarms-carrier-attempts',
      ),
      this.sql.query<{ user_id: string; username: string; available: bigint; currency: string }>(
        `SELECT a.user_id, u.username, a.balance_minor - a.reserved_minor AS available, a.currency
         FROM accounts a JOIN users u ON u.id = a.user_id
         WHERE a.balance_minor - a.reserved_minor < $1 AND u.deleted_at IS NULL
           AND EXISTS (SELECT 1 FROM ledger_entries l WHERE l.user_id = a.user_id AND l.kind = 'topup')
         ORDER BY available LIMIT 50`,
        [t.balanceLowMinor],
        'alarms-balances',
      ),
      this.sql.query<{ dialed: string; calls: string }>(
        `SELECT dialed, count(*) AS calls FROM call_records WHERE requested_at >= $1 GROUP BY dialed HAVING count(*) > $2 ORDER BY 2 DESC LIMIT 20`,
        [minutesAgo(t.destinationSpikeWindowMinutes), t.destinationSpikeCalls],
        'alarms-destinations',
      ),
    ]);
    return {
      carriers: carriers.map((r) => ({ carrierId: r.carrier_id, name: r.name, calls: Number(r.calls), answered: Number(r.answered) })),
      lowBalances: lowBalances.map((r) => ({ userId: r.user_id, username: r.username, availableMinor: Number(r.available), currency: r.currency })),
      destinations: destinations.map((r) => ({ number: r.dialed, calls: Number(r.calls) })),
    };
  }
}
