// A prepaid account and the movements of its money. available = balance - reserved; the ledger
// keeps balance >= reserved >= 0 at every step, so the balance is never negative.

export interface Account {
  userId: string;
  currency: string;
  planId?: string;
  balanceMinor: bigint;
  reservedMinor: bigint;
}

export interface Balance {
  userId: string;
  currency: string;
  // The account's price plan; absent until the account exists or when it uses the default plan.
  planId?: string;
  balanceMinor: bigint;
  reservedMinor: bigint;
  availableMinor: bigint;
}

export const LEDGER_KINDS = ['topup', 'reserve', 'release', 'charge'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface Movement {
  userId: string;
  kind: LedgerKind;
  // Always positive: the kind says which way the money goes.
  amountMinor: bigint;
  currency: string;
  callId?: string;
  reference?: string;
}

export interface LedgerEntry extends Movement {
  id: string;
  balanceAfter: bigint;
  reservedAfter: bigint;
  createdAt: Date;
}

// topup: +balance. reserve: +reserved. release: -reserved. charge: spends reserved credit, so
// -balance and -reserved (a charge beyond the reservation is reserved first). Hence, per account:
//   balance  = sum(topup) - sum(charge)
//   reserved = sum(reserve) - sum(release) - sum(charge)
export function deltasOf(kind: LedgerKind, amountMinor: bigint): { balance: bigint; reserved: bigint } {
  switch (kind) {
    case 'topup':
      return { balance: amountMinor, reserved: 0n };
    case 'reserve':
      return { balance: 0n, reserved: amountMinor };
    case 'release':
      return { balance: 0n, reserved: -amountMinor };
    case 'charge':
      return { balance: -amountMinor, reserved: -amountMinor };
  }
}

// The account's figures after a movement, or undefined when the ledger refuses it: every movement
// must leave balance >= reserved >= 0 (the ledger adapters' post() checks the same in its UPDATE).
export function afterMovement(figures: { balanceMinor: bigint; reservedMinor: bigint }, kind: LedgerKind, amountMinor: bigint): { balanceMinor: bigint; reservedMinor: bigint } | undefined {
  const delta = deltasOf(kind, amountMinor);
  const balanceMinor = figures.balanceMinor + delta.balance;
  const reservedMinor = figures.reservedMinor + delta.reserved;
  return reservedMinor < 0n || balanceMinor < reservedMinor ? undefined : { balanceMinor, reservedMinor };
}

// A movement with the running figures its entry records, computed by the caller under the
// account's lock (the batch settlement's form of Ledger.post).
export interface ComputedEntry extends Movement {
  balanceAfter: bigint;
  reservedAfter: bigint;
}

// Keeps every minor-unit figure a safe JS integer (JSON numbers in the API).
export const MAX_BALANCE_MINOR = 10n ** 15n;

export function balanceOf(account: Account): Balance {
  return {
    userId: account.userId,
    currency: account.currency,
    ...(account.planId ? { planId: account.planId } : {}),
    balanceMinor: account.balanceMinor,
    reservedMinor: account.reservedMinor,
    availableMinor: account.balanceMinor - account.reservedMinor,
  };
}
