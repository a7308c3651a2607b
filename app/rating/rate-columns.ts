// A rate deck's rows in columns of typed arrays (no object per row): about 40 bytes a rate.

export const MAX_PREFIX_DIGITS = 15;
// from/to of an all-day rate; first/next of a row that leaves the increment to the plan or deck.
export const NO_BAND = -1;
export const UNSET = 0;

export interface Columns {
  keys: Float64Array;
  lengths: Uint8Array;
  rates: BigInt64Array;
  fees: BigInt64Array;
  first: Uint16Array;
  next: Uint16Array;
  from: Int16Array;
  to: Int16Array;
  tags: Int32Array;
}

export function allocate(capacity: number): Columns {
  return {
    keys: new Float64Array(capacity),
    lengths: new Uint8Array(capacity),
    rates: new BigInt64Array(capacity),
    fees: new BigInt64Array(capacity),
    first: new Uint16Array(capacity),
    next: new Uint16Array(capacity),
    from: new Int16Array(capacity),
    to: new Int16Array(capacity),
    tags: new Int32Array(capacity),
  };
}

export function copyRow(source: Columns, i: number, target: Columns, j: number): void {
  target.keys[j] = source.keys[i] ?? 0;
  target.lengths[j] = source.lengths[i] ?? 0;
  target.rates[j] = source.rates[i] ?? 0n;
  target.fees[j] = source.fees[i] ?? 0n;
  target.first[j] = source.first[i] ?? UNSET;
  target.next[j] = source.next[i] ?? UNSET;
  target.from[j] = source.from[i] ?? NO_BAND;
  target.to[j] = source.to[i] ?? NO_BAND;
  target.tags[j] = source.tags[i] ?? 0;
}

// The same rows in columns twice as long.
export function grow(old: Columns): Columns {
  const bigger = allocate(old.keys.length * 2);
  bigger.keys.set(old.keys);
  bigger.lengths.set(old.lengths);
  bigger.rates.set(old.rates);
  bigger.fees.set(old.fees);
  bigger.first.set(old.first);
  bigger.next.set(old.next);
  bigger.from.set(old.from);
  bigger.to.set(old.to);
  bigger.tags.set(old.tags);
  return bigger;
}

export function columnsByteLength(c: Columns): number {
  return [c.keys, c.lengths, c.rates, c.fees, c.first, c.next, c.from, c.to, c.tags].reduce((sum, column) => sum + column.byteLength, 0);
}

// A row's prefix as text (its digits, leading zeros included).
export function prefixAt(c: Columns, row: number): string {
  return String(c.keys[row] ?? 0).padStart(c.lengths[row] ?? 1, '0');
}
