import { allocate, type Columns, columnsByteLength, copyRow, grow, MAX_PREFIX_DIGITS, NO_BAND, prefixAt, UNSET } from './rate-columns';
import { conflictsOf, type RateConflict } from './rate-conflicts';
import { PrefixTrie } from './prefix-trie';
import { bandContains } from './time-of-day';

// A rate deck in columns of typed arrays (rate-columns.ts), for longest-prefix lookups over up to
// millions of prefixes: no object per row. Prefixes (1-15 digits, E.164 has at most 15) are sorted
// by length, then value; a packed digit trie (prefix-trie.ts) finds the destination's prefixes in
// one walk. Rates of one prefix (an all-day rate and time-of-day bands) sit next to each other.

export { MAX_PREFIX_DIGITS } from './rate-columns';
export { type RateConflict } from './rate-conflicts';

export interface RateInput {
  // Digits only, e.g. "44" or "4420".
  prefix: string;
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  firstIncrementSeconds?: number;
  nextIncrementSeconds?: number;
  // Minutes of the day [from, to); both absent = all day.
  timeFromMinute?: number;
  timeToMinute?: number;
  // The caller's own number for the row (a line number, a row id), handed back by lookups.
  tag?: number;
}

export interface RateMatch {
  prefix: string;
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  firstIncrementSeconds?: number;
  nextIncrementSeconds?: number;
  timeFromMinute?: number;
  timeToMinute?: number;
  tag: number;
}

const INT64_MAX = 2n ** 63n - 1n;

// Collects rates, then sorts them into a RateTable and reports rows that clash (the same prefix
// and band twice, or overlapping bands of one prefix).
export class RateTableBuilder {
  private columns = allocate(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(rate: RateInput): void {
    const { prefix } = rate;
    if (!/^\d{1,15}$/.test(prefix)) throw new RangeError(`prefix must be 1-${MAX_PREFIX_DIGITS} digits: ${prefix}`);
    if (rate.ratePerMinuteMicros < 0n || rate.ratePerMinuteMicros > INT64_MAX || rate.connectFeeMinor < 0n || rate.connectFeeMinor > INT64_MAX) {
      throw new RangeError('rates and fees must be between 0 and 2^63-1');
    }
    for (const increment of [rate.firstIncrementSeconds, rate.nextIncrementSeconds]) {
      if (increment !== undefined && (!Number.isInteger(increment) || increment < 1 || increment > 65535)) throw new RangeError('increments must be 1-65535 seconds');
    }
    const banded = rate.timeFromMinute !== undefined && rate.timeToMinute !== undefined;
    if (this.count === this.columns.keys.length) this.columns = grow(this.columns);
    const c = this.columns;
    const i = this.count;
    c.keys[i] = Number(prefix);
    c.lengths[i] = prefix.length;
    c.rates[i] = rate.ratePerMinuteMicros;
    c.fees[i] = rate.connectFeeMinor;
    c.first[i] = rate.firstIncrementSeconds ?? UNSET;
    c.next[i] = rate.nextIncrementSeconds ?? UNSET;
    c.from[i] = banded ? (rate.timeFromMinute ?? NO_BAND) : NO_BAND;
    c.to[i] = banded ? (rate.timeToMinute ?? NO_BAND) : NO_BAND;
    c.tags[i] = rate.tag ?? i;
    this.count += 1;
  }

  build(): { table: RateTable; conflicts: RateConflict[] } {
    const source = this.columns;
    const n = this.count;
    // Counting sort by prefix length, then each length's group by (prefix, band start).
    const starts = new Int32Array(MAX_PREFIX_DIGITS + 2);
    for (let i = 0; i < n; i += 1) starts[(source.lengths[i] ?? 0) + 1] = (starts[(source.lengths[i] ?? 0) + 1] ?? 0) + 1;
    for (let length = 1; length <= MAX_PREFIX_DIGITS + 1; length += 1) starts[length] = (starts[length] ?? 0) + (starts[length - 1] ?? 0);
    const order = new Int32Array(n);
    const fill = starts.slice();
    for (let i = 0; i < n; i += 1) {
      const length = source.lengths[i] ?? 0;
      order[fill[length] ?? 0] = i;
      fill[length] = (fill[length] ?? 0) + 1;
    }
    const byKey = (a: number, b: number): number => (source.keys[a] ?? 0) - (source.keys[b] ?? 0) || (source.from[a] ?? 0) - (source.from[b] ?? 0) || a - b;
    for (let length = 1; length <= MAX_PREFIX_DIGITS; length += 1) order.subarray(starts[length], starts[length + 1]).sort(byKey);

    const sorted = allocate(n);
    for (let j = 0; j < n; j += 1) copyRow(source, order[j] ?? 0, sorted, j);
    this.columns = allocate(0);
    this.count = 0;
    const table = new RateTable(sorted, n, PrefixTrie.build(sorted.keys, starts, MAX_PREFIX_DIGITS));
    return { table, conflicts: conflictsOf(sorted, n) };
  }
}

export class RateTable {
  // The first rows of a destination's prefixes, shortest first (a lookup's scratch: no allocation).
  private readonly found = new Int32Array(MAX_PREFIX_DIGITS);

  constructor(
    private readonly c: Columns,
    readonly size: number,
    private readonly trie: PrefixTrie,
  ) {}

  static of(rates: Iterable<RateInput>): RateTable {
    const builder = new RateTableBuilder();
    for (const rate of rates) builder.add(rate);
    return builder.build().table;
  }

  // Bytes held by the columns (the benchmark reports it).
  get byteLength(): number {
    return columnsByteLength(this.c) + this.trie.byteLength + this.found.byteLength;
  }

  // The rate of the longest prefix of the destination (digits, a leading '+' ignored). Among that
  // prefix's rates, a band containing minuteOfDay wins over the all-day rate; a prefix whose only
  // rates are bands that do not contain it leaves the choice to a shorter prefix.
  lookup(destination: string, minuteOfDay?: number): RateMatch | undefined {
    const row = this.lookupRow(destination, minuteOfDay);
    return row >= 0 ? this.matchAt(row) : undefined;
  }

  // The row lookup() would read, or -1: lets a caller keep what it derives from a row.
  lookupRow(destination: string, minuteOfDay?: number): number {
    const start = destination.charCodeAt(0) === 43 /* + */ ? 1 : 0;
    const longest = Math.min(destination.length - start, MAX_PREFIX_DIGITS);
    // A destination with anything but digits in its first 15 has no rate.
    for (let i = start; i < start + longest; i += 1) {
      const digit = destination.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return -1;
    }
    const found = this.found;
    for (let k = this.trie.matches(destination, start, longest, found) - 1; k >= 0; k -= 1) {
      const row = this.pick(found[k] ?? 0, minuteOfDay);
      if (row >= 0) return row;
    }
    return -1;
  }

  *entries(): Generator<RateMatch> {
    for (let row = 0; row < this.size; row += 1) yield this.matchAt(row);
  }

  // Rows that clash: a prefix's all-day rate twice, the same band twice, or overlapping bands.
  conflicts(): RateConflict[] {
    return conflictsOf(this.c, this.size);
  }

  // The row to use among a prefix's rows (from `first` on): a band containing minuteOfDay, else
  // the all-day rate, else -1.
  private pick(first: number, minuteOfDay: number | undefined): number {
    const c = this.c;
    const key = c.keys[first];
    const length = c.lengths[first];
    let allDay = -1;
    for (let row = first; row < this.size && c.keys[row] === key && c.lengths[row] === length; row += 1) {
      const from = c.from[row] ?? NO_BAND;
      if (from === NO_BAND) allDay = row;
      else if (minuteOfDay !== undefined && bandContains(from, c.to[row] ?? 0, minuteOfDay)) return row;
    }
    return allDay;
  }

  // The rate at a row of lookupRow().
  matchAt(row: number): RateMatch {
    const c = this.c;
    const from = c.from[row] ?? NO_BAND;
    const first = c.first[row] ?? UNSET;
    const next = c.next[row] ?? UNSET;
    return {
      prefix: prefixAt(c, row),
      ratePerMinuteMicros: c.rates[row] ?? 0n,
      connectFeeMinor: c.fees[row] ?? 0n,
      ...(first !== UNSET ? { firstIncrementSeconds: first } : {}),
      ...(next !== UNSET ? { nextIncrementSeconds: next } : {}),
      ...(from !== NO_BAND ? { timeFromMinute: from, timeToMinute: c.to[row] ?? 0 } : {}),
      tag: c.tags[row] ?? 0,
    };
  }
}
