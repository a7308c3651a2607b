// Exact decimal text <-> integer units (bigint). Money never goes through a floating point number.

export type DecimalReason = 'not_a_number' | 'negative' | 'too_many_decimals' | 'too_large';

export type DecimalResult = { ok: true; value: bigint } | { ok: false; reason: DecimalReason };

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const MAX_TEXT_LENGTH = 40;

// "10.50" at scale 2 -> 1050n. At most `scale` decimals ("10.500" at scale 2 is refused: the
// sender's precision does not match the unit). No sign, exponent, separators or spaces.
export function parseDecimal(text: string, scale: number, max?: bigint): DecimalResult {
  if (text.length > MAX_TEXT_LENGTH) return { ok: false, reason: 'too_large' };
  if (/^-\d/.test(text)) return { ok: false, reason: 'negative' };
  const match = DECIMAL.exec(text);
  if (!match) return { ok: false, reason: 'not_a_number' };
  const [, whole = '', fraction = ''] = match;
  if (fraction.length > scale) return { ok: false, reason: 'too_many_decimals' };
  const value = BigInt(whole) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0');
  if (max !== undefined && value > max) return { ok: false, reason: 'too_large' };
  return { ok: true, value };
}

// 1050n at scale 2 -> "10.50"; trailing zeros beyond `minDecimals` are dropped (rates: 12000n at
// scale 6 with minDecimals 2 -> "0.012").
export function formatDecimal(value: bigint, scale: number, minDecimals = scale): string {
  const sign = value < 0n ? '-' : '';
  const digits = (value < 0n ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  let fraction = digits.slice(digits.length - scale);
  while (fraction.length > minDecimals && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}

export const DECIMAL_REASON_TEXT: Record<DecimalReason, string> = {
  not_a_number: 'must be a decimal number such as 10.50',
  negative: 'must not be negative',
  too_many_decimals: 'has more decimals than allowed',
  too_large: 'is too large',
};
