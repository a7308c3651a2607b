import { isFree } from '../rating';
import { type Logger } from '../shared/infra/logger';
import { AppError, errorMessage } from '../shared/kernel';
import { type Deadline, withDeadline } from './deadline';
import { BillingTimeoutError } from './errors';
import { type OnNetRules } from './on-net-rules';
import { type BillingOptions } from './options';
import { type CallPathPersistence, type CallPathStores } from './ports';
import { type PricePlans } from './price-plan-service';
import { firstSlice, nextSlice, type RateSnapshot, type Reservation, tariffOf } from './reservation';

// The call state manager's CallAuthorizer port (app/call-state/ports.ts), which billing fulfils
// structurally: billing does not import call-state.
export interface CallStart {
  callId: string;
  caller: { userId: string };
  // E.164: the callee's number on-net, the dialled number for PSTN.
  destination: string;
  onNet: boolean;
  at: Date;
}

export type CallAuthorization =
  | { allowed: true; reservedSeconds: number | null }
  | { allowed: false; reason: 'no_credit' | 'no_rate' | 'billing_unavailable' };

const NO_CREDIT: CallAuthorization = { allowed: false, reason: 'no_credit' };
const UNAVAILABLE: CallAuthorization = { allowed: false, reason: 'billing_unavailable' };
const UNLIMITED: CallAuthorization = { allowed: true, reservedSeconds: null };

// A void reservation is the tombstone of a call that has ended already: nothing more for it.
const answerOf = (reservation: Reservation): CallAuthorization =>
  reservation.status === 'void' ? NO_CREDIT : reservation.free ? UNLIMITED : reservation.status === 'open' ? { allowed: true, reservedSeconds: reservation.reservedSeconds } : NO_CREDIT;

const refused = (what: string, userId: string): AppError => new AppError('BILLING.LEDGER_REFUSED', `the ledger refused ${what}`, 'internal', { userId });

// Max talk time at call start, reserved a slice at a time (see README.md).
export class CallCreditAuthorizer {
  constructor(
    private readonly persistence: CallPathPersistence,
    private readonly plans: PricePlans,
    private readonly options: BillingOptions,
    private readonly log: Logger,
    private readonly rules: OnNetRules,
  ) {}

  // Never throws: any failure (database down, slower than authorizeTimeoutMs) gives the outage
  // answer below.
  async authorize(request: CallStart): Promise<CallAuthorization> {
    const log = this.log.child({ callId: request.callId, userId: request.caller.userId, destination: request.destination, onNet: request.onNet });
    try {
      const answer = await withDeadline((deadline) => this.reserveFirstSlice(request, deadline, log), this.options.authorizeTimeoutMs, 'authorize');
      log.info('call authorized', { ...answer });
      return answer;
    } catch (error) {
      return this.answerWithout(request, log, error);
    }
  }

  // When billing cannot price or reserve a call: paid calls fail closed (billing_unavailable); an
  // on-net call goes on, unlimited and unbilled, only if the caller's plan is known to make on-net
  // calls free (OnNetRules: what billing last read; for a user not seen yet, the default plan's
  // rule). Unknown: fail closed.
  outageAnswer(request: CallStart): CallAuthorization {
    return this.answerWithout(request, this.log.child({ callId: request.callId, userId: request.caller.userId, onNet: request.onNet }));
  }

  private answerWithout(request: CallStart, log: Logger, error?: unknown): CallAuthorization {
    const rule = request.onNet ? this.rules.ruleOf(request.caller.userId) : undefined;
    const why = error === undefined ? {} : { error: errorMessage(error) };
    if (rule?.free) {
      log.warn('billing unavailable: on-net call on a free plan goes on unbilled', { ...why, rule: rule.source });
      return UNLIMITED;
    }
    log.error('billing unavailable: call refused', { ...why, rule: rule ? rule.source : 'unknown' });
    return UNAVAILABLE;
  }

  // continueCall of the design: one more slice if the account can pay for it (possibly a shorter
  // one, down to whole increments); the same reservedSeconds when it cannot.
  async extend(callId: string): Promise<CallAuthorization> {
    const log = this.log.child({ callId });
    try {
      return await withDeadline((deadline) => this.reserveNextSlice(callId, deadline, log), this.options.authorizeTimeoutMs, 'extend');
    } catch (error) {
      log.error('billing unavailable: no more talk time reserved', { error: errorMessage(error) });
      return UNAVAILABLE;
    }
  }

  private async reserveFirstSlice(request: CallStart, deadline: Deadline, log: Logger): Promise<CallAuthorization> {
    const { stores } = this.persistence;
    const userId = request.caller.userId;
    // No read of an earlier reservation first (one statement less per call): the call id is the
    // reservations' key, so the free path's insert finds it (ON CONFLICT, then its answer) and the
    // paid path reads it under the account's lock before it reserves anything.
    const account = await stores.accounts.find(userId);
    const plan = await this.plans.planOf(account);
    this.rules.rememberPlan(plan);
    this.rules.rememberUser(userId, plan.id);
    if (account && account.currency !== plan.currency) {
      log.error('the account and its price plan have different currencies', { accountCurrency: account.currency, planId: plan.id, planCurrency: plan.currency });
      return { allowed: false, reason: 'no_rate' };
    }
    const snapshot = await this.plans.snapshotFor(plan, request);
    if (!snapshot) return { allowed: false, reason: 'no_rate' };
    if (isFree(snapshot)) {
      // A zero reservation keeps the call's price for its invoice line; it holds no credit (so a
      // late one is harmless and needs no deadline check).
      const written = await stores.reservations.insert({ ...snapshot, callId: request.callId, userId, reservedMinor: 0n, reservedSeconds: 0, free: true });
      return written ? UNLIMITED : this.answerOfExisting(stores, request.callId);
    }
    if (!account) return NO_CREDIT;
    return this.persistence.transaction((tx) => this.reserve(tx, request.callId, userId, snapshot, deadline, log));
  }

  private async reserve(tx: CallPathStores, callId: string, userId: string, snapshot: RateSnapshot, deadline: Deadline, log: Logger): Promise<CallAuthorization> {
    const account = await tx.accounts.lock(userId);
    if (!account) return NO_CREDIT;
    const earlier = await tx.reservations.find(callId);
    if (earlier) return answerOf(earlier);
    const slice = firstSlice(tariffOf(snapshot), account.balanceMinor - account.reservedMinor, this.options.sliceSeconds);
    if (!slice) return NO_CREDIT;
    this.abandonIfLate(deadline, 'authorize', log);
    // The row first: its key is the call id, so a tombstone left by the call's end means the call
    // is over and nothing is reserved for it.
    if (!(await tx.reservations.insert({ ...snapshot, callId, userId, reservedMinor: slice.costMinor, reservedSeconds: slice.seconds, free: false }))) {
      return this.answerOfExisting(tx, callId);
    }
    if (slice.costMinor > 0n && !(await tx.ledger.post({ userId, kind: 'reserve', amountMinor: slice.costMinor, currency: snapshot.currency, callId }))) {
      throw refused('a reservation', userId);
    }
    return { allowed: true, reservedSeconds: slice.seconds };
  }

  private async answerOfExisting(stores: CallPathStores, callId: string): Promise<CallAuthorization> {
    const existing = await stores.reservations.find(callId);
    return existing ? answerOf(existing) : NO_CREDIT;
  }

  // The caller was answered without this work (billing_unavailable): what it would write now
  // would hold credit for a call that does not happen. Throwing rolls its transaction back.
  private abandonIfLate(deadline: Deadline, operation: string, log: Logger): void {
    if (!deadline.passed) return;
    log.warn('late reservation abandoned: the call was already answered without it', { operation, timeoutMs: this.options.authorizeTimeoutMs });
    throw new BillingTimeoutError(operation, this.options.authorizeTimeoutMs);
  }

  private async reserveNextSlice(callId: string, deadline: Deadline, log: Logger): Promise<CallAuthorization> {
    const found = await this.persistence.stores.reservations.find(callId);
    if (!found) {
      log.warn('extension asked for a call billing has no reservation of');
      return NO_CREDIT;
    }
    if (found.free || found.status !== 'open') return answerOf(found);
    const answer = await this.persistence.transaction(async (tx) => {
      const account = await tx.accounts.lock(found.userId);
      const reservation = await tx.reservations.find(callId);
      if (!account || !reservation || reservation.status !== 'open') return NO_CREDIT;
      const held = { seconds: reservation.reservedSeconds, costMinor: reservation.reservedMinor };
      const next = nextSlice(tariffOf(reservation), held, account.balanceMinor - account.reservedMinor, this.options.sliceSeconds);
      if (!next) return { allowed: true as const, reservedSeconds: held.seconds };
      const extra = next.costMinor - held.costMinor;
      this.abandonIfLate(deadline, 'extend', log);
      if (extra > 0n && !(await tx.ledger.post({ userId: reservation.userId, kind: 'reserve', amountMinor: extra, currency: reservation.currency, callId }))) {
        throw refused('an extension', reservation.userId);
      }
      await tx.reservations.grow(callId, { reservedMinor: next.costMinor, reservedSeconds: next.seconds });
      return { allowed: true as const, reservedSeconds: next.seconds };
    });
    log.info('call credit extended', { ...answer });
    return answer;
  }
}
