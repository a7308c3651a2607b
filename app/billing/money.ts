import { DECIMAL_REASON_TEXT, minorUnitDigits, parseDecimal } from '../rating';
import { InvalidAmountError } from './errors';

// An amount in major units, as decimal text ("10.50"), to minor units of the currency. Zero,
// negative, non-numeric, too precise (more decimals than the currency has) or above `maxMajor`
// is refused.
export function parseAmount(amount: string, currency: string, maxMajor: number): bigint {
  const digits = minorUnitDigits(currency);
  const max = BigInt(maxMajor) * 10n ** BigInt(digits);
  const details = { field: 'amount', amount, currency, maxDecimals: digits, maxAmount: String(maxMajor) };
  const parsed = parseDecimal(amount, digits, max);
  if (!parsed.ok) {
    const limit = parsed.reason === 'too_many_decimals' ? ` (${currency} has ${digits})` : parsed.reason === 'too_large' ? ` (at most ${maxMajor} ${currency})` : '';
    throw new InvalidAmountError(`amount ${DECIMAL_REASON_TEXT[parsed.reason]}${limit}`, { ...details, reason: parsed.reason });
  }
  if (parsed.value === 0n) throw new InvalidAmountError('amount must be more than zero', { ...details, reason: 'zero' });
  return parsed.value;
}
