// Amounts as people read them. Money is integer minor units (bigint) and rates integer micro-units
// per minute; both become exact decimal strings first, which Intl.NumberFormat formats without
// going through floating point.

const MICROS_DIGITS = 6;

// Digits of the currency's minor unit (USD 2, JPY 0, BHD 3), as Intl (CLDR) knows them.
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

// An integer amount of 10^-digits units as an exact decimal string: (1234n, 2) -> "12.34".
export function decimalString(value: bigint, digits: number): string {
  const negative = value < 0n;
  const digitsOf = (negative ? -value : value).toString().padStart(digits + 1, '0');
  const whole = digitsOf.slice(0, digitsOf.length - digits);
  const fraction = digits > 0 ? `.${digitsOf.slice(digitsOf.length - digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

export const amountDecimal = (minor: bigint, currency: string): string => decimalString(minor, minorUnitDigits(currency));

// A rate per minute as a decimal without trailing zeros beyond the currency's minor unit:
// 50_000 micro-USD -> "0.05", 12_500 -> "0.0125".
export function rateDecimal(micros: bigint, currency: string): string {
  const exact = decimalString(micros, MICROS_DIGITS);
  const keep = minorUnitDigits(currency);
  const [whole, fraction = ''] = exact.split('.');
  const trimmed = fraction.replace(/0+$/, '').padEnd(keep, '0');
  return trimmed.length > 0 ? `${whole}.${trimmed}` : (whole ?? '0');
}

export interface MoneyFormatOptions {
  locale: string;
  // 'code' (USD 12.34) where the symbol cannot be shown, e.g. in a PDF with a standard font.
  display?: 'symbol' | 'code';
}

// Intl.NumberFormat.format takes a decimal string exactly (ECMA-402 NumberFormat v3, Node 20+);
// the TypeScript library types only declare number | bigint.
type DecimalFormat = (value: string) => string;

export function formatMoney(minor: bigint, currency: string, options: MoneyFormatOptions): string {
  const format = new Intl.NumberFormat(options.locale, { style: 'currency', currency, currencyDisplay: options.display ?? 'symbol' });
  return (format.format as unknown as DecimalFormat)(amountDecimal(minor, currency));
}

export function formatRate(micros: bigint, currency: string, options: MoneyFormatOptions): string {
  const digits = minorUnitDigits(currency);
  const format = new Intl.NumberFormat(options.locale, {
    style: 'currency',
    currency,
    currencyDisplay: options.display ?? 'symbol',
    minimumFractionDigits: digits,
    maximumFractionDigits: MICROS_DIGITS,
  });
  return (format.format as unknown as DecimalFormat)(decimalString(micros, MICROS_DIGITS));
}

// Talk time as h:mm:ss or m:ss.
export function formatDuration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}
