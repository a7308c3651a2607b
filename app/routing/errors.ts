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

export interface RateFileError {
  line: number;
  field?: string;
  message: string;
}

// Nothing of the file was imported; errors lists the first bad rows (errorCount counts them all).
// The same codes and details as a price plan's rate import.
export class InvalidCarrierRatesError extends AppError {
  constructor(reason: 'invalid_rows' | 'too_large', errors: RateFileError[], errorCount: number) {
    super(
      reason === 'too_large' ? 'RATES.TOO_LARGE' : 'RATES.INVALID',
      reason === 'too_large' ? 'the rate file is too large; nothing was imported' : `${errorCount} bad row(s); nothing was imported`,
      'invalid',
      { errorCount, truncated: errors.length < errorCount, errors },
    );
  }
}
