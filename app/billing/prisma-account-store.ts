import { type Prisma } from '../shared/infra/prisma/generated/client';
import { type Account, type ComputedEntry, deltasOf, type LedgerEntry, type Movement } from './account';
import { type AccountStore, type Ledger } from './ports';
import { type AccountRow, type EntryRow, toAccount, toEntry } from './rows';
import { isUuid } from './uuid';

// The accounts table, through the client given: the database, or a transaction of it.
export class PrismaAccountStore implements AccountStore {
  constructor(private readonly db: Prisma.TransactionClient) {}

  async find(userId: string): Promise<Account | undefined> {
    if (!isUuid(userId)) return undefined;
    const row = await this.db.account.findUnique({ where: { userId } });
    return row ? toAccount(row) : undefined;
  }

  async lock(userId: string): Promise<Account | undefined> {
    if (!isUuid(userId)) return undefined;
    const [row] = await this.db.$queryRaw<AccountRow[]>`
      SELECT user_id::text AS "userId", currency, plan_id::text AS "planId", balance_minor AS "balanceMinor", reserved_minor AS "reservedMinor"
      FROM accounts WHERE user_id = ${userId}::uuid FOR UPDATE`;
    return row ? toAccount(row) : undefined;
  }

  async lockMany(userIds: readonly string[]): Promise<Map<string, Account>> {
    const ids = [...new Set(userIds.filter(isUuid))].sort();
    if (ids.length === 0) return new Map();
    const rows = await this.db.$queryRaw<AccountRow[]>`
      SELECT user_id::text AS "userId", currency, plan_id::text AS "planId", balance_minor AS "balanceMinor", reserved_minor AS "reservedMinor"
      FROM accounts WHERE user_id = ANY(${ids}::uuid[]) ORDER BY user_id FOR UPDATE`;
    return new Map(rows.map((row) => [row.userId, toAccount(row)]));
  }

  async createIfMissing(account: { userId: string; currency: string; planId?: string }): Promise<void> {
    await this.db.account.createMany({ data: [{ userId: account.userId, currency: account.currency, planId: account.planId ?? null }], skipDuplicates: true });
  }

  async setPlan(userId: string, planId: string): Promise<void> {
    await this.db.account.update({ where: { userId }, data: { planId } });
  }

  async plansOf(userIds: readonly string[]): Promise<Map<string, string | undefined>> {
    const ids = userIds.filter(isUuid);
    if (ids.length === 0) return new Map();
    const rows = await this.db.$queryRaw<Array<{ userId: string; planId: string | null }>>`
      SELECT user_id::text AS "userId", plan_id::text AS "planId" FROM accounts WHERE user_id = ANY(${ids}::uuid[])`;
    return new Map(rows.map((row) => [row.userId, row.planId ?? undefined]));
  }
}

// The ledger: each entry is written together with the conditional update of its account, so the
// account's columns are always the running sums of its entries. post() is one raw statement (as the
// plain SQL ledger's): settle() posts on every ended call, and a model query costs Prisma's query
// compiler ~800 us of CPU. created_at from this process's clock, as the model's default gave it.
export class PrismaLedger implements Ledger {
  constructor(private readonly db: Prisma.TransactionClient) {}

  async post(movement: Movement): Promise<LedgerEntry | undefined> {
    const delta = deltasOf(movement.kind, movement.amountMinor);
    const [row] = await this.db.$queryRaw<EntryRow[]>`
      WITH moved AS (
        UPDATE accounts
        SET balance_minor = balance_minor + ${delta.balance}, reserved_minor = reserved_minor + ${delta.reserved}, updated_at = now()
        WHERE user_id = ${movement.userId}::uuid
          AND reserved_minor + ${delta.reserved} >= 0
          AND balance_minor + ${delta.balance} >= reserved_minor + ${delta.reserved}
        RETURNING balance_minor, reserved_minor
      )
      INSERT INTO ledger_entries (user_id, kind, amount_minor, currency, call_id, reference, balance_after, reserved_after, created_at)
      SELECT ${movement.userId}::uuid, ${movement.kind}, ${movement.amountMinor}, ${movement.currency}, ${movement.callId ?? null}::uuid, ${movement.reference ?? null},
             balance_minor, reserved_minor, ${new Date()} FROM moved
      RETURNING id, user_id::text AS "userId", kind, amount_minor AS "amountMinor", currency, call_id::text AS "callId", reference,
                balance_after AS "balanceAfter", reserved_after AS "reservedAfter", created_at AS "createdAt"`;
    return row ? toEntry(row) : undefined;
  }

  // One statement: the entries in order, then each touched account set to its last entry's figures.
  async appendMany(entries: readonly ComputedEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const last = new Map<string, ComputedEntry>();
    for (const entry of entries) last.set(entry.userId, entry);
    const users = [...last.keys()].sort();
    const col = <T>(pick: (entry: ComputedEntry) => T): T[] => entries.map(pick);
    await this.db.$executeRaw`
      WITH entries AS (
        INSERT INTO ledger_entries (user_id, kind, amount_minor, currency, call_id, reference, balance_after, reserved_after)
        SELECT user_id, kind, amount_minor, currency, call_id, reference, balance_after, reserved_after
        FROM UNNEST(${col((e) => e.userId)}::uuid[], ${col((e) => e.kind)}::text[], ${col((e) => e.amountMinor)}::bigint[], ${col((e) => e.currency)}::text[],
                    ${col((e) => e.callId ?? null)}::uuid[], ${col((e) => e.reference ?? null)}::text[], ${col((e) => e.balanceAfter)}::bigint[], ${col((e) => e.reservedAfter)}::bigint[])
          WITH ORDINALITY AS t(user_id, kind, amount_minor, currency, call_id, reference, balance_after, reserved_after, n)
        ORDER BY n
        RETURNING 1
      )
      UPDATE accounts a SET balance_minor = v.balance, reserved_minor = v.reserved, updated_at = now()
      FROM UNNEST(${users}::uuid[], ${users.map((id) => last.get(id)?.balanceAfter ?? 0n)}::bigint[], ${users.map((id) => last.get(id)?.reservedAfter ?? 0n)}::bigint[]) AS v(user_id, balance, reserved)
      WHERE a.user_id = v.user_id`;
  }

  async findTopUp(userId: string, reference: string): Promise<LedgerEntry | undefined> {
    const row = await this.db.ledgerEntry.findUnique({ where: { userId_reference: { userId, reference } } });
    return row ? toEntry(row) : undefined;
  }
}
