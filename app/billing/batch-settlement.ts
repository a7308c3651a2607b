import { type CallEnded } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { type Clock, type UnitOfWork } from '../shared/kernel';
import { type Account, afterMovement, type ComputedEntry } from './account';
import { ledgerRefused } from './call-settlement';
import { type BillingPersistence, type BillingStores } from './ports';
import { type Reservation, type VoidReservation } from './reservation';
import { type CallCharge, planSettlement, repeatedChargeOf, tombstoneOf } from './settlement-plan';

const uniqueSorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

// settle() for a whole batch of ended calls, for the invoice consumer's batch path: settle() costs
// some ten queries a call, which caps a consumer at a few hundred calls a second; this costs a few
// statements a batch (lock the callers' accounts, read the reservations, tombstones for calls that
// have none, append the ledger entries with the accounts' new figures, close the reservations).
// Same rule (planSettlement), same
// movements in the same order, same refusals as settle() applied to the events one after the
// other in one unit of work: test/integration/billing/batch-settlement.test.ts compares every row.
export class BatchSettlement {
  constructor(
    private readonly persistence: BillingPersistence,
    private readonly clock: Clock,
    private readonly defaultCurrency: string,
    private readonly log: Logger,
  ) {}

  // Results in the order of the events. Sort the events by caller, then call (as the invoice
  // service does), so that the ledger entries come out in the order settle() would write them.
  async settleMany(work: UnitOfWork, events: readonly CallEnded[]): Promise<Array<CallCharge | undefined>> {
    if (events.length === 0) return [];
    const stores = this.persistence.within(work);
    // The callers' accounts first, in one order for every instance: a reservation being written
    // for one of these calls takes the same lock, so it commits before or waits after.
    const accounts = await stores.accounts.lockMany(uniqueSorted(events.map((event) => event.caller.userId)));
    const reservations = await stores.reservations.findMany(uniqueSorted(events.map((event) => event.callId)));
    await this.tombstones(stores, events, accounts, reservations);
    // A reservation of another user than the event's caller is not expected; lock that account too.
    const strays = uniqueSorted([...reservations.values()].map((r) => r.userId).filter((userId) => !accounts.has(userId)));
    if (strays.length > 0) for (const [userId, account] of await stores.accounts.lockMany(strays)) accounts.set(userId, account);

    const entries: ComputedEntry[] = [];
    const settled = new Map<string, bigint>();
    const charges = events.map((event) => {
      const reservation = reservations.get(event.callId);
      if (!reservation || reservation.status === 'void') return undefined;
      if (reservation.status === 'settled') return repeatedChargeOf(reservation, event);
      return this.settleOne(reservation, event, accounts.get(reservation.userId), entries, settled);
    });
    await stores.ledger.appendMany(entries);
    await stores.reservations.settleMany([...settled].map(([callId, chargedMinor]) => ({ callId, chargedMinor })), this.clock.now());
    this.log.debug('calls settled in a batch', { events: events.length, settled: settled.size, ledgerEntries: entries.length });
    return charges;
  }

  // As settle() does: calls without a reservation get a tombstone (so that a late one is refused).
  // The batch reads them back with any reservation that got there first (one not taking the
  // account's lock: a free call's).
  private async tombstones(stores: BillingStores, events: readonly CallEnded[], accounts: ReadonlyMap<string, Account>, reservations: Map<string, Reservation>): Promise<void> {
    const missing = new Map<string, VoidReservation>();
    for (const event of events) {
      if (reservations.has(event.callId) || missing.has(event.callId)) continue;
      const tombstone = tombstoneOf(event, accounts.get(event.caller.userId)?.currency ?? this.defaultCurrency);
      if (tombstone) missing.set(event.callId, tombstone);
    }
    if (missing.size === 0) return;
    await stores.reservations.insertVoid([...missing.values()], this.clock.now());
    for (const [callId, reservation] of await stores.reservations.findMany([...missing.keys()])) reservations.set(callId, reservation);
  }

  // Applies one call's plan to the in-memory figures of its account (locked); the reservation is
  // marked settled in memory too, so that the same call again in this batch is a repeat.
  private settleOne(reservation: Reservation, event: CallEnded, account: Account | undefined, entries: ComputedEntry[], settled: Map<string, bigint>): CallCharge | undefined {
    const plan = planSettlement(reservation, event, account ? account.balanceMinor - account.reservedMinor : 0n);
    for (const movement of plan.movements) {
      const after = account && afterMovement(account, movement.kind, movement.amountMinor);
      if (!account || !after) throw ledgerRefused(movement);
      account.balanceMinor = after.balanceMinor;
      account.reservedMinor = after.reservedMinor;
      entries.push({ ...movement, balanceAfter: after.balanceMinor, reservedAfter: after.reservedMinor });
    }
    reservation.status = 'settled';
    reservation.chargedMinor = plan.chargedMinor;
    settled.set(reservation.callId, plan.chargedMinor);
    if (plan.shortfallMinor > 0n && plan.charge) this.log.warn('call cost more than the account had', { callId: reservation.callId, userId: reservation.userId, shortfallMinor: plan.shortfallMinor.toString() });
    return plan.charge;
  }
}
