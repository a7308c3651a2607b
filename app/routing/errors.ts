import { AppError, NotFoundError } from '../shared/kernel';

// The routing module's errors: stable codes and details; the admin API maps kinds to HTTP statuses.

export class InvalidDestinationError extends AppError {
  constructor(to: string, country?: string) {
    super('ROUTING.INVALID_DESTINATION', 'the destination is not a valid phone number (E.164, or national in the sender\'s country)', 'invalid', {
      to,
      ...(country ? { senderCountry: country } : {}),
    });
  }
}

export class UnknownStrategyError extends AppError {
  constructor(strategy: string, known: readonly string[]) {
    super('ROUTING.UNKNOWN_STRATEGY', 'no such scoring strategy', 'invalid', { strategy, known });
  }
}

export class CarrierNotFoundError extends NotFoundError {
  constructor(carrierId: string) {
    super('CARRIER.NOT_FOUND', 'no such carrier', { carrierId });
  }
}

