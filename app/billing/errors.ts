import { AppError, ConflictError, NotFoundError } from '../shared/kernel';

// Billing's errors: stable codes and details; the admin API maps their kinds to HTTP statuses.

export class InvalidAmountError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('BILLING.INVALID_AMOUNT', message, 'invalid', details);
  }
}

export class CurrencyMismatchError extends ConflictError {
  constructor(details: { userId: string; accountCurrency: string; currency: string }) {
    super('BILLING.CURRENCY_MISMATCH', 'the account is kept in another currency', details);
  }
}

export class ReferenceConflictError extends ConflictError {
  constructor(details: { userId: string; reference: string; amountMinor: string; currency: string }) {
    super('BILLING.REFERENCE_CONFLICT', 'this reference was already used for a different top-up', details);
  }
}

export class BalanceLimitError extends ConflictError {
  constructor(details: { userId: string; balanceMinor: string; amountMinor: string; maxBalanceMinor: string }) {
    super('BILLING.BALANCE_LIMIT', 'the top-up would take the balance past its limit', details);
  }
}

export class PricePlanNotFoundError extends NotFoundError {
  constructor(planId: string) {
    super('PRICE_PLAN.NOT_FOUND', 'no such price plan', { planId });
  }
}

export class PricePlanNameTakenError extends ConflictError {
  constructor(name: string) {
    super('PRICE_PLAN.NAME_TAKEN', 'a price plan with this name exists', { name });
  }
}

export class InvalidPricePlanError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('PRICE_PLAN.INVALID', message, 'invalid', details);
  }
}

// A unit of billing work did not finish in time (the database is slow or unreachable).
export class BillingTimeoutError extends AppError {
  constructor(operation: string, timeoutMs: number) {
    super('BILLING.TIMEOUT', 'billing did not answer in time', 'unavailable', { operation, timeoutMs });
  }
}

// A reservation to change is not there: the work reads it under the caller's account lock first and
// reservations are never deleted, so this is a defect, not a state of a call.
export class ReservationMissingError extends AppError {
  constructor(callId: string) {
    super('BILLING.RESERVATION_MISSING', 'the call has no reservation', 'internal', { callId });
  }
}
