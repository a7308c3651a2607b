import { type CallEnded } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { AppError, type Clock, errorMessage, type UnitOfWork } from '../shared/kernel';
import { type Movement } from './account';
import { type BillingOptions } from './options';
import { type BillingPersistence, type BillingStores, type CallPathLedger, type ReservationStore } from './ports';
import { type Reservation } from './reservation';
import { type CallCharge, planSettlement, repeatedChargeOf, type SettlementPlan, tombstoneOf } from './settlement-plan';

const HOUR_MS = 3_600_000;
const SWEEP_BATCH = 500;

export const ledgerRefused = (movement: Movement): AppError =>
  new AppError('BILLING.LEDGER_REFUSED', `the ledger refused a ${movement.kind}`, 'internal', { userId: movement.userId, callId: movement.callId });

export function logSettlement(log: Logger, plan: SettlementPlan): void {
  const figures = { talkSeconds: plan.talkSeconds, amountMinor: plan.ratedMinor.toString(), chargedMinor: plan.chargedMinor.toString(), releasedMinor: plan.releasedMinor.toString() };
  if (plan.shortfallMinor > 0n) log.warn('call cost more than the account had', { ...figures, shortfallMinor: plan.shortfallMinor.toString() });
  else log.info('call settled', figures);
}

// Writes a settlement plan: its ledger movements in order, then the reservation closed as settled.
// Within the transaction that locked the accounts the movements touch.
export async function applySettlement(stores: { ledger: CallPathLedger; reservations: Pick<ReservationStore, 'close'> }, callId: string, plan: SettlementPlan, at: Date): Promise<void> {
  for (const movement of plan.movements) {
    if (movement.amountMinor > 0n && !(await stores.ledger.post(movement))) throw ledgerRefused(movement);
  }
  await stores.reservations.close(callId, { status: 'settled', chargedMinor: plan.chargedMinor, at });
}

// Ending calls: the real talk time is charged from the reservation and the rest released.
export class CallSettlement {
  constructor(
    private readonly persistence: BillingPersistence,
    private readonly clock: Clock,
    private readonly options: BillingOptions,
    private readonly log: Logger,
  ) {}

  // Inside the caller's unit of work. Returns the charge of an answered call (0 for a free one);
  // undefined for an unanswered call (its reservation is released) or one billing never
  // authorised (e.g. an on-net call let through while the database was down): such a call is
  // given a tombstone, so that a reservation still on its way for it (authorize past its
  // deadline) is refused instead of holding the caller's credit until the sweep.
  // Applying it again changes nothing and returns the same charge, read back from the reservation.
  async settle(work: UnitOfWork, event: CallEnded): Promise<CallCharge | undefined> {
    const stores = this.persistence.within(work);
    // The caller's account first: authorize locks it to write a reservation, so a late one has
    // committed before the read below, or waits until the tombstone is there.
    const callerAccount = await stores.accounts.lock(event.caller.userId);
    const reservation = (await stores.reservations.find(event.callId)) ?? (await this.tombstone(stores, event, callerAccount?.currency));
    if (!reservation || reservation.status === 'void') return undefined;
    if (reservation.status === 'settled') return repeatedChargeOf(reservation, event);
    const account = reservation.userId === event.caller.userId ? callerAccount : await stores.accounts.lock(reservation.userId);

    const plan = planSettlement(reservation, event, account ? account.balanceMinor - account.reservedMinor : 0n);
    await applySettlement(stores, reservation.callId, plan, this.clock.now());
    logSettlement(this.log.child({ callId: reservation.callId, userId: reservation.userId }), plan);
    return plan.charge;
  }

  // undefined when the tombstone was written (or the call has no user to write it for); the
  // reservation that got there first otherwise.
  private async tombstone(stores: BillingStores, event: CallEnded, currency: string | undefined): Promise<Reservation | undefined> {
    const tombstone = tombstoneOf(event, currency ?? this.options.defaultCurrency);
    if (!tombstone) return undefined;
    if ((await stores.reservations.insertVoid([tombstone], this.clock.now())).has(event.callId)) {
      this.log.debug('call ended with no reservation: tombstone written', { callId: event.callId, userId: tombstone.userId });
      return undefined;
    }
    return stores.reservations.find(event.callId);
  }

  // Open reservations with no movement for staleReservationHours belong to calls whose end was
  // lost: their credit is released and they are marked expired. A late end still settles them
  // (charged from what the account has then). Returns how many were released.
  async releaseStaleReservations(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - this.options.staleReservationHours * HOUR_MS);
    let released = 0;
    for (;;) {
      const stale = await this.persistence.stores.reservations.listStale(cutoff, SWEEP_BATCH);
      let batchReleased = 0;
      for (const { callId, userId } of stale) {
        try {
          if (await this.persistence.transaction((tx) => this.expire(tx, callId, userId))) batchReleased += 1;
        } catch (error) {
          this.log.error('releasing a stale reservation failed', { callId, userId, error: errorMessage(error) });
        }
      }
      released += batchReleased;
      // A batch where nothing could be released would come back unchanged: try again next sweep.
      if (stale.length < SWEEP_BATCH || batchReleased === 0) return released;
    }
  }

  private async expire(tx: BillingStores, callId: string, userId: string): Promise<boolean> {
    await tx.accounts.lock(userId);
    const reservation = await tx.reservations.find(callId);
    if (!reservation || reservation.status !== 'open') return false;
    await this.post(tx, { userId, currency: reservation.currency, callId, kind: 'release', amountMinor: reservation.reservedMinor });
    await tx.reservations.close(callId, { status: 'expired', chargedMinor: 0n, at: this.clock.now() });
    this.log.warn('stale reservation released', { callId, userId, reservedMinor: reservation.reservedMinor.toString(), reservedAt: reservation.createdAt.toISOString() });
    return true;
  }

  private async post(stores: BillingStores, movement: Movement): Promise<void> {
    if (movement.amountMinor <= 0n) return;
    if (!(await stores.ledger.post(movement))) throw ledgerRefused(movement);
  }
}
