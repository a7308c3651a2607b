import { AppError } from '../shared/kernel';
import { type RateRowError } from './rate-csv';
import { type RateDeck } from './rate-deck';

// Why a rate file was refused as a whole (readRateDeck's reasons).
export type RateFileRefusal = Extract<RateDeck, { ok: false }>['reason'];

// The codes of a refused rate file, the same for a price plan's rates (billing) and a carrier's
// deck (routing): defined here once.
export const RATE_FILE_ERROR_CODES = { invalid_rows: 'RATES.INVALID', too_large: 'RATES.TOO_LARGE' } as const satisfies Record<RateFileRefusal, string>;

// Nothing of the file was imported. errors lists the first bad rows (errorCount counts them all).
export class InvalidRateFileError extends AppError {
  constructor(reason: RateFileRefusal, errors: readonly RateRowError[], errorCount: number) {
    super(
      RATE_FILE_ERROR_CODES[reason],
      reason === 'too_large' ? 'the rate file is too large; nothing was imported' : `${errorCount} bad row(s); nothing was imported`,
      'invalid',
      { errorCount, truncated: errors.length < errorCount, errors },
    );
  }
}
