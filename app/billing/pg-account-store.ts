import { type SqlQueries } from '../shared/infra/sql';
import { type Account, deltasOf, type LedgerEntry, type Movement } from './account';
import { type CallPathAccountStore, type CallPathLedger } from './ports';
import { type AccountRow, type EntryRow, toAccount, toEntry } from './rows';
import { isUuid } from './uuid';

const ACCOUNT_COLUMNS = `user_id::text AS "userId", currency, plan_id::text AS "planId", balance_minor AS "balanceMinor", reserved_minor AS "reservedMinor"`;
const FIND = `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE user_id = $1::uuid`;
const LOCK = `${FIND} FOR UPDATE`;

// The accounts table in plain SQL, for the call path, through the queries given: the pool, or a
// transaction of it.
export class PgAccountStore implements CallPathAccountStore {
  constructor(private readonly sql: SqlQueries) {}

  async find(userId: string): Promise<Account | undefined> {
    if (!isUuid(userId)) return undefined;
    const [row] = await this.sql.query<AccountRow>(FIND, [userId], 'billing-account-find');
    return row ? toAccount(row) : undefined;
  }

  async lock(userId: string): Promise<Account | undefined> {
    if (!isUuid(userId)) return undefined;
    const [row] = await this.sql.query<AccountRow>(LOCK, [userId], 'billing-account-lock');
    return row ? toAccount(row) : undefined;
  }
}

// The conditional update of the account and the entry's insert in one statement (the Prisma
// adapter sends them one after the other in the caller's transaction: the same rows, one round
// trip less). An update refused by its condition returns no row, so nothing is inserted.
// created_at comes from this process's clock, as Prisma's @default(now()) gives it: the sweep
// compares it with its own clock.
const POST = `
  WITH moved AS (
    UPDATE accounts
    SET balance_minor = balance_minor + $2::bigint, reserved_minor = reserved_minor + $3::bigint, updated_at = now()
    WHERE user_id = $1::uuid
      AND reserved_minor + $3::bigint >= 0
      AND balance_minor + $2::bigint >= reserved_minor + $3::bigint
    RETURNING balance_minor, reserved_minor
  )
  INSERT INTO ledger_entries (user_id, kind, amount_minor, currency, call_id, reference, balance_after, reserved_after, created_at)
  SELECT $1::uuid, $4, $5::bigint, $6, $7::uuid, $8, balance_minor, reserved_minor, $9::timestamptz FROM moved
  RETURNING id, user_id::text AS "userId", kind, amount_minor AS "amountMinor", currency, call_id::text AS "callId", reference,
            balance_after AS "balanceAfter", reserved_after AS "reservedAfter", created_at AS "createdAt"`;

// The ledger's post() in plain SQL: each entry is written together with the conditional update of
// its account, so the account's columns stay the running sums of its entries.
export class PgLedger implements CallPathLedger {
  constructor(private readonly sql: SqlQueries) {}

  async post(movement: Movement): Promise<LedgerEntry | undefined> {
    const delta = deltasOf(movement.kind, movement.amountMinor);
    const [row] = await this.sql.query<EntryRow>(
      POST,
      [movement.userId, delta.balance, delta.reserved, movement.kind, movement.amountMinor, movement.currency, movement.callId ?? null, movement.reference ?? null, new Date()],
      'billing-ledger-post',
    );
    return row ? toEntry(row) : undefined;
  }
}
