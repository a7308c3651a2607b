import { billedSeconds, costMinor, isRounding, minorUnitDigits, talkSecondsOf, type Tariff } from '../rating';
import { type CallEnded } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { type Prisma } from '../shared/infra/prisma/generated/client';
import { prismaTransactionOf } from '../shared/infra/unit-of-work';
import { AppError, type Clock, type UnitOfWork } from '../shared/kernel';
import { type CallCharge, type CallSettlement } from './ports';

// Billing's settle for a whole batch of ended calls in three statements (lock the accounts, read
// the reservations, write everything), for the invoice consumer's batch path: billing's settle()
// costs some ten queries per call, which caps a consumer at a few hundred calls a second. It has
// exactly the effects of billing's CallSettlement.settle applied to
// the events one after the other in one transaction (same rounding through app/rating, same
// ledger entries with the same running balances, same reservation updates, same refusals): the
// integration test test/integration/invoice/batch-settlement.test.ts runs both on identical
// accounts and compares every row. It belongs in app/billing (as settleMany); until billing has
// it, it reads and writes billing's tables from here. settle() is billing's own.

interface ReservationRow {
  callId: string;
  userId: string;
  currency: string;
  reservedMinor: bigint;
  destination: string;
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  firstIncrementSeconds: number;
  nextIncrementSeconds: number;
  rounding: string;
  status: string;
  chargedMinor: bigint | null;
}

interface AccountState {
  balance: bigint;
  reserved: bigint;
}

type Kind = 'reserve' | 'charge' | 'release';

interface Entry {
  userId: string;
  kind: Kind;
  amount: bigint;
  currency: string;
  callId: string;
  balanceAfter: bigint;
  reservedAfter: bigint;
}

// app/billing/account.ts deltasOf, for the kinds a settlement posts.
const DELTAS: Record<Kind, (amount: bigint) => { balance: bigint; reserved: bigint }> = {
  reserve: (amount) => ({ balance: 0n, reserved: amount }),
  release: (amount) => ({ balance: 0n, reserved: -amount }),
  charge: (amount) => ({ balance: -amount, reserved: -amount }),
};

function tariffOf(row: ReservationRow): Tariff {
  if (!isRounding(row.rounding)) throw new Error(`reservation ${row.callId} has an unknown rounding`);
  return {
    ratePerMinuteMicros: row.ratePerMinuteMicros,
    connectFeeMinor: row.connectFeeMinor,
    firstIncrementSeconds: row.firstIncrementSeconds,
    nextIncrementSeconds: row.nextIncrementSeconds,
    rounding: row.rounding,
    minorUnitDigits: minorUnitDigits(row.currency),
  };
}

// app/billing/reservation.ts settlementOf: the cost is taken from the reservation and, past it,
// from available credit; what neither covers is the shortfall.
function settlementOf(rated: bigint, held: bigint, available: bigint): { extra: bigint; charge: bigint; release: bigint } {
  if (rated <= held) return { extra: 0n, charge: rated, release: held - rated };
  const wanted = rated - held;
  const extra = available <= 0n ? 0n : wanted < available ? wanted : available;
  return { extra, charge: held + extra, release: 0n };
}

function chargeOf(row: ReservationRow, event: CallEnded, chargedMinor: bigint): CallCharge {
  const tariff = tariffOf(row);
  const talkSeconds = talkSecondsOf(event.talkMs);
  const amountMinor = costMinor(tariff, talkSeconds);
  return {
    callId: row.callId,
    userId: row.userId,
    currency: row.currency,
    destination: row.destination,
    startedAt: new Date(event.answeredAt ?? event.requestedAt),
    talkSeconds,
    billedSeconds: billedSeconds(tariff, talkSeconds),
    ratePerMinuteMicros: row.ratePerMinuteMicros,
    connectFeeMinor: row.connectFeeMinor,
    amountMinor,
    shortfallMinor: amountMinor - chargedMinor,
  };
}

const uniqueSorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

export class PrismaBatchSettlement implements CallSettlement {
  constructor(
    private readonly billing: CallSettlement,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  settle(work: UnitOfWork, event: CallEnded): Promise<CallCharge | undefined> {
    return this.billing.settle(work, event);
  }

  async settleMany(work: UnitOfWork, events: readonly CallEnded[]): Promise<Array<CallCharge | undefined>> {
    if (events.length === 0) return [];
    const tx = prismaTransactionOf(work);
    const { found, accounts } = await this.lockAccounts(tx, uniqueSorted(events.map((event) => event.callId)));
    // Read under the account locks, as billing does: an extension may have grown one meanwhile.
    const current = await this.reservations(tx, [...found]);
    const entries: Entry[] = [];
    const closed = new Map<string, bigint>();

    const post = (row: ReservationRow, kind: Kind, amount: bigint): void => {
      if (amount <= 0n) return;
      const account = accounts.get(row.userId);
      const delta = DELTAS[kind](amount);
      const balance = (account?.balance ?? 0n) + delta.balance;
      const reserved = (account?.reserved ?? 0n) + delta.reserved;
      if (!account || reserved < 0n || balance < reserved) {
        throw new AppError('BILLING.LEDGER_REFUSED', `the ledger refused a ${kind}`, 'internal', { userId: row.userId, callId: row.callId });
      }
      account.balance = balance;
      account.reserved = reserved;
      entries.push({ userId: row.userId, kind, amount, currency: row.currency, callId: row.callId, balanceAfter: balance, reservedAfter: reserved });
    };

    const charges = events.map((event) => {
      const row = found.has(event.callId) ? current.get(event.callId) : undefined;
      if (!row) return undefined;
      const answered = event.answeredAt !== undefined;
      if (row.status === 'settled') return answered ? chargeOf(row, event, row.chargedMinor ?? 0n) : undefined;
      const rated = costMinor(tariffOf(row), answered ? talkSecondsOf(event.talkMs) : 0);
      const held = row.status === 'open' ? row.reservedMinor : 0n;
      const account = accounts.get(row.userId);
      const plan = settlementOf(rated, held, account ? account.balance - account.reserved : 0n);
      post(row, 'reserve', plan.extra);
      post(row, 'charge', plan.charge);
      post(row, 'release', plan.release);
      row.status = 'settled';
      row.chargedMinor = plan.charge;
      closed.set(row.callId, plan.charge);
      const charge = chargeOf(row, event, plan.charge);
      if (charge.shortfallMinor > 0n && answered) this.log.warn('call cost more than the account had', { callId: row.callId, userId: row.userId, shortfallMinor: charge.shortfallMinor.toString() });
      return answered ? charge : undefined;
    });

    await this.write(tx, entries, accounts, closed);
    this.log.debug('calls settled in a batch', { events: events.length, settled: closed.size, ledgerEntries: entries.length });
    return charges;
  }

  // Locks the accounts of the calls that have a reservation, in user id order (concurrent batches
  // lock in one order), and returns those calls and the accounts' figures as of the lock.
  private async lockAccounts(tx: Prisma.TransactionClient, callIds: string[]): Promise<{ found: Set<string>; accounts: Map<string, AccountState> }> {
    const rows = await tx.$queryRaw<Array<{ callId: string; userId: string; balance: bigint | null; reserved: bigint | null }>>`
      WITH found AS (SELECT call_id, user_id FROM reservations WHERE call_id = ANY(${callIds}::uuid[])),
      locked AS (
        SELECT user_id, balance_minor, reserved_minor FROM accounts
        WHERE user_id IN (SELECT user_id FROM found) ORDER BY user_id FOR UPDATE
      )
      SELECT f.call_id::text AS "callId", f.user_id::text AS "userId", l.balance_minor AS balance, l.reserved_minor AS reserved
      FROM found f LEFT JOIN locked l USING (user_id)`;
    const accounts = new Map<string, AccountState>();
    for (const row of rows) {
      if (row.balance !== null && row.reserved !== null) accounts.set(row.userId, { balance: row.balance, reserved: row.reserved });
    }
    return { found: new Set(rows.map((row) => row.callId)), accounts };
  }

  private async reservations(tx: Prisma.TransactionClient, callIds: string[]): Promise<Map<string, ReservationRow>> {
    if (callIds.length === 0) return new Map();
    const rows = await tx.$queryRaw<ReservationRow[]>`
      SELECT call_id::text AS "callId", user_id::text AS "userId", currency, reserved_minor AS "reservedMinor", destination,
             rate_per_minute_micros AS "ratePerMinuteMicros", connect_fee_minor AS "connectFeeMinor",
             first_increment_seconds AS "firstIncrementSeconds", next_increment_seconds AS "nextIncrementSeconds",
             rounding, status, charged_minor AS "chargedMinor"
      FROM reservations WHERE call_id = ANY(${callIds}::uuid[])`;
    return new Map(rows.map((row) => [row.callId, row]));
  }

  // The ledger entries, the accounts' new figures and the closed reservations, in one statement.
  private async write(tx: Prisma.TransactionClient, entries: Entry[], accounts: Map<string, AccountState>, closed: Map<string, bigint>): Promise<void> {
    if (closed.size === 0) return;
    const at = this.clock.now();
    const col = <T>(pick: (entry: Entry) => T): T[] => entries.map(pick);
    const touched = uniqueSorted(entries.map((entry) => entry.userId));
    const callIds = [...closed.keys()];
    await tx.$executeRaw`
      WITH entries AS (
        INSERT INTO ledger_entries (user_id, kind, amount_minor, currency, call_id, balance_after, reserved_after, created_at)
        SELECT user_id, kind, amount_minor, currency, call_id, balance_after, reserved_after, ${at}
        FROM UNNEST(${col((e) => e.userId)}::uuid[], ${col((e) => e.kind)}::text[], ${col((e) => e.amount)}::bigint[], ${col((e) => e.currency)}::text[],
                    ${col((e) => e.callId)}::uuid[], ${col((e) => e.balanceAfter)}::bigint[], ${col((e) => e.reservedAfter)}::bigint[])
          WITH ORDINALITY AS t(user_id, kind, amount_minor, currency, call_id, balance_after, reserved_after, n)
        ORDER BY n
        RETURNING 1
      ),
      balances AS (
        UPDATE accounts a SET balance_minor = v.balance, reserved_minor = v.reserved, updated_at = now()
        FROM UNNEST(${touched}::uuid[], ${touched.map((id) => accounts.get(id)?.balance ?? 0n)}::bigint[], ${touched.map((id) => accounts.get(id)?.reserved ?? 0n)}::bigint[]) AS v(user_id, balance, reserved)
        WHERE a.user_id = v.user_id
        RETURNING 1
      )
      UPDATE reservations r SET status = 'settled', charged_minor = v.charged, settled_at = ${at}
      FROM UNNEST(${callIds}::uuid[], ${callIds.map((id) => closed.get(id) ?? 0n)}::bigint[]) AS v(call_id, charged)
      WHERE r.call_id = v.call_id`;
  }
}
