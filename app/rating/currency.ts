import { AppError } from '../shared/kernel';

export class UnknownCurrencyError extends AppError {
  constructor(currency: string) {
    super('RATING.UNKNOWN_CURRENCY', 'unknown currency code (ISO 4217, e.g. USD)', 'invalid', { currency });
  }
}

// ICU's list, not a hand-written table: Intl accepts any well-formed three-letter code (and would
// invent 2 decimals for it), so a code ICU does not list is refused.
const SUPPORTED = new Set(Intl.supportedValuesOf('currency'));
const digitsCache = new Map<string, number>();

export function isKnownCurrency(currency: string): boolean {
  return /^[A-Z]{3}$/.test(currency) && SUPPORTED.has(currency);
}

// Decimals of the currency's minor unit (USD 2, JPY 0, KWD 3), as ICU's CLDR data defines them.
export function minorUnitDigits(currency: string): number {
  const cached = digitsCache.get(currency);
  if (cached !== undefined) return cached;
  if (!isKnownCurrency(currency)) throw new UnknownCurrencyError(currency);
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  // Rates are micro-units: a minor unit must be a whole number of them.
  if (digits === undefined || digits > 6) throw new UnknownCurrencyError(currency);
  digitsCache.set(currency, digits);
  return digits;
}
