import { billedSeconds, costMinor, talkSecondsOf } from '../rating';
import { type CallEnded } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { AppError, type Clock, errorMessage, type UnitOfWork } from '../shared/kernel';
import { type Movement } from './account';
import { type BillingOptions } from './options';
import { type BillingPersistence, type BillingStores } from './ports';
import { type Reservation, settlementOf, tariffOf } from './reservation';

// What billing charged for an ended call: the figures of its invoice line. Money in minor units,
// the rate in micro-units per minute (the reservation's, fixed at call start).
export interface CallCharge {
  callId: string;
  userId: string;
  currency: string;
  destination: string;
  // When the charged talk began: the answer.
  startedAt: Date;
  talkSeconds: number;
  billedSeconds: number;
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  // The price of the call.
  amountMinor: bigint;
  // What was taken from the account: amountMinor - shortfallMinor.
  chargedMinor: bigint;
  // What the account could not cover (its balance went no lower than zero).
  shortfallMinor: bigint;
}

const HOUR_MS = 3_600_000;
const SWEEP_BATCH = 500;

function chargeOf(reservation: Reservation, event: CallEnded, chargedMinor: bigint): CallCharge {
  const tariff = tariffOf(reservation);
  const talkSeconds = talkSecondsOf(event.talkMs);
  const amountMinor = costMinor(tariff, talkSeconds);
  return {
    callId: reservation.callId,
    userId: reservation.userId,
    currency: reservation.currency,
    destination: reservation.destination,
    startedAt: new Date(event.answeredAt ?? event.requestedAt),
    talkSeconds,
    billedSeconds: billedSeconds(tariff, talkSeconds),
    ratePerMinuteMicros: reservation.ratePerMinuteMicros,
    connectFeeMinor: reservation.connectFeeMinor,
    amountMinor,
    chargedMinor,
    shortfallMinor: amountMinor - chargedMinor,
  };
}

// Ending calls: the real talk time is charged from the reservation and the rest released.
export class CallSettlement {
  constructor(
    private readonly persistence: BillingPersistence,
    private readonly clock: Clock,
    private readonly options: BillingOptions,
    private readonly log: Logger,
  ) {}

  // Inside the caller's transaction. Returns the charge of an answered call (0 for a free one);
  // undefined for an unanswered call (its reservation is released) or one billing never
  // authorised (no reservation: e.g. an on-net call let through while the database was down).
  // Applying it again changes nothing and returns the same charge, read back from the reservation.
  async settle(work: UnitOfWork, event: CallEnded): Promise<CallCharge | undefined> {
    const stores = this.persistence.within(work);
    const found = await stores.reservations.find(event.callId);
    if (!found) return undefined;
    const account = await stores.accounts.lock(found.userId);
    const reservation = (await stores.reservations.find(event.callId)) ?? found;
    const answered = event.answeredAt !== undefined;
    if (reservation.status === 'settled') return answered ? chargeOf(reservation, event, reservation.chargedMinor ?? 0n) : undefined;

    const talkSeconds = answered ? talkSecondsOf(event.talkMs) : 0;
    const rated = costMinor(tariffOf(reservation), talkSeconds);
    // An expired reservation was already released by the sweep: it holds nothing now.
    const held = reservation.status === 'open' ? reservation.reservedMinor : 0n;
    const available = account ? account.balanceMinor - account.reservedMinor : 0n;
    const plan = settlementOf(rated, held, available);
    const base = { userId: reservation.userId, currency: reservation.currency, callId: reservation.callId };
    await this.post(stores, { ...base, kind: 'reserve', amountMinor: plan.extraReserveMinor });
    await this.post(stores, { ...base, kind: 'charge', amountMinor: plan.chargeMinor });
    await this.post(stores, { ...base, kind: 'release', amountMinor: plan.releaseMinor });
    await stores.reservations.close(reservation.callId, { status: 'settled', chargedMinor: plan.chargeMinor, at: this.clock.now() });

    const log = this.log.child({ callId: reservation.callId, userId: reservation.userId });
    const figures = { talkSeconds, amountMinor: rated.toString(), chargedMinor: plan.chargeMinor.toString(), releasedMinor: plan.releaseMinor.toString() };
    if (plan.shortfallMinor > 0n) log.warn('call cost more than the account had', { ...figures, shortfallMinor: plan.shortfallMinor.toString() });
    else log.info('call settled', figures);
    return answered ? chargeOf(reservation, event, plan.chargeMinor) : undefined;
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
    if (!(await stores.ledger.post(movement))) {
      throw new AppError('BILLING.LEDGER_REFUSED', `the ledger refused a ${movement.kind}`, 'internal', { userId: movement.userId, callId: movement.callId });
    }
  }
}
