import { randomUUID } from 'node:crypto';
import { afterMovement } from '../../../app/billing/account';
import {
  type Account,
  type BillingPersistence,
  type BillingStores,
  type LedgerEntry,
  type PlanRate,
  type PricePlan,
  PricePlanNameTakenError,
  type Reservation,
} from '../../../app/billing';

// Billing's stores in memory, for unit tests: one "transaction" at a time, no isolation needed.
// `failing` makes every store call throw (a database that is down); `failingOps` only the named
// ones (e.g. 'accounts.lock'); `hanging` makes them never answer.
export class InMemoryBillingPersistence implements BillingPersistence {
  readonly accounts = new Map<string, Account>();
  readonly entries: LedgerEntry[] = [];
  readonly reservations = new Map<string, Reservation>();
  readonly plans = new Map<string, PricePlan>();
  readonly rates = new Map<string, PlanRate[]>();
  readonly activeUsers = new Set<string>();
  failing = false;
  hanging = false;
  readonly failingOps = new Set<string>();
  readonly stores: BillingStores;

  constructor(private readonly now: () => Date = () => new Date()) {
    this.stores = this.buildStores();
  }

  transaction<T>(work: (stores: BillingStores) => Promise<T>): Promise<T> {
    return work(this.stores);
  }

  within(): BillingStores {
    return this.stores;
  }

  private async guard(op: string): Promise<void> {
    if (this.hanging) await new Promise<never>(() => undefined);
    if (this.failing || this.failingOps.has(op)) throw new Error(`database unreachable (${op})`);
  }

  private buildStores(): BillingStores {
    return {
      accounts: {
        find: async (userId) => {
          await this.guard('accounts.find');
          const account = this.accounts.get(userId);
          return account && { ...account };
        },
        lock: async (userId) => {
          await this.guard('accounts.lock');
          const account = this.accounts.get(userId);
          return account && { ...account };
        },
        lockMany: async (userIds) => {
          await this.guard('accounts.lock');
          const found = [...new Set(userIds)].sort().flatMap((userId) => {
            const account = this.accounts.get(userId);
            return account ? [[userId, { ...account }] as const] : [];
          });
          return new Map(found);
        },
        createIfMissing: async (account) => {
          await this.guard('accounts.create');
          if (!this.accounts.has(account.userId)) this.accounts.set(account.userId, { ...account, balanceMinor: 0n, reservedMinor: 0n });
        },
        setPlan: async (userId, planId) => {
          await this.guard('accounts.setPlan');
          const account = this.accounts.get(userId);
          if (account) account.planId = planId;
        },
        plansOf: async (userIds) => {
          await this.guard('accounts.find');
          return new Map(userIds.flatMap((userId) => {
            const account = this.accounts.get(userId);
            return account ? [[userId, account.planId] as const] : [];
          }));
        },
      },
      ledger: {
        post: async (movement) => {
          await this.guard('ledger.post');
          const account = this.accounts.get(movement.userId);
          const after = account && afterMovement(account, movement.kind, movement.amountMinor);
          if (!account || !after) return undefined;
          Object.assign(account, after);
          const entry: LedgerEntry = { ...movement, id: String(this.entries.length + 1), balanceAfter: after.balanceMinor, reservedAfter: after.reservedMinor, createdAt: this.now() };
          this.entries.push(entry);
          return entry;
        },
        appendMany: async (entries) => {
          await this.guard('ledger.post');
          for (const entry of entries) {
            this.entries.push({ ...entry, id: String(this.entries.length + 1), createdAt: this.now() });
            Object.assign(this.accounts.get(entry.userId) ?? {}, { balanceMinor: entry.balanceAfter, reservedMinor: entry.reservedAfter });
          }
        },
        findTopUp: async (userId, reference) => {
          await this.guard('ledger.findTopUp');
          return this.entries.find((e) => e.userId === userId && e.reference === reference);
        },
      },
      reservations: {
        find: async (callId) => {
          await this.guard('reservations.find');
          const reservation = this.reservations.get(callId);
          return reservation && { ...reservation };
        },
        findMany: async (callIds) => {
          await this.guard('reservations.find');
          return new Map(callIds.flatMap((callId) => {
            const reservation = this.reservations.get(callId);
            return reservation ? [[callId, { ...reservation }] as const] : [];
          }));
        },
        insert: async (reservation) => {
          await this.guard('reservations.insert');
          if (this.reservations.has(reservation.callId)) return false;
          this.reservations.set(reservation.callId, { ...reservation, status: 'open', createdAt: this.now() });
          return true;
        },
        insertVoid: async (tombstones, at) => {
          await this.guard('reservations.insert');
          const written = new Set<string>();
          for (const t of tombstones) {
            if (this.reservations.has(t.callId)) continue;
            const zero = { reservedMinor: 0n, reservedSeconds: 0, free: false, ratePerMinuteMicros: 0n, connectFeeMinor: 0n, firstIncrementSeconds: 1, nextIncrementSeconds: 1, rounding: 'up' as const };
            this.reservations.set(t.callId, { ...t, ...zero, status: 'void', chargedMinor: 0n, createdAt: at, settledAt: at });
            written.add(t.callId);
          }
          return written;
        },
        grow: async (callId, to) => {
          await this.guard('reservations.grow');
          Object.assign(this.reservations.get(callId) ?? {}, to);
        },
        close: async (callId, outcome) => {
          await this.guard('reservations.close');
          Object.assign(this.reservations.get(callId) ?? {}, { status: outcome.status, chargedMinor: outcome.chargedMinor, settledAt: outcome.at });
        },
        settleMany: async (settled, at) => {
          await this.guard('reservations.close');
          for (const { callId, chargedMinor } of settled) Object.assign(this.reservations.get(callId) ?? {}, { status: 'settled', chargedMinor, settledAt: at });
        },
        listStale: async (cutoff) => {
          await this.guard('reservations.listStale');
          return [...this.reservations.values()]
            .filter((r) => r.status === 'open' && r.createdAt < cutoff && !this.entries.some((e) => e.callId === r.callId && e.createdAt >= cutoff))
            .map((r) => ({ callId: r.callId, userId: r.userId }));
        },
      },
      plans: {
        create: async (plan) => {
          await this.guard('plans.create');
          if ([...this.plans.values()].some((p) => p.name === plan.name)) throw new PricePlanNameTakenError(plan.name);
          const created = { ...plan, id: randomUUID(), createdAt: this.now() };
          this.plans.set(created.id, created);
          return created;
        },
        find: async (id) => {
          await this.guard('plans.find');
          return this.plans.get(id);
        },
        list: async () => {
          await this.guard('plans.find');
          return [...this.plans.values()];
        },
        findByName: async (name) => {
          await this.guard('plans.find');
          return [...this.plans.values()].find((p) => p.name === name);
        },
        lock: async (id) => {
          await this.guard('plans.lock');
          return this.plans.get(id);
        },
        countRates: async (planId) => {
          await this.guard('plans.countRates');
          return this.rates.get(planId)?.length ?? 0;
        },
        ratesMatching: async (planId, prefixes) => {
          await this.guard('plans.rates');
          return (this.rates.get(planId) ?? []).filter((r) => prefixes.includes(r.prefix));
        },
        replaceRates: async (planId, rates) => {
          await this.guard('plans.replaceRates');
          this.rates.set(planId, [...rates]);
          return this.rates.get(planId)?.length ?? 0;
        },
      },
      users: {
        isActive: async (userId) => {
          await this.guard('users.isActive');
          return this.activeUsers.has(userId);
        },
      },
    };
  }
}
