import { hashDigit, hashPrefix, PREFIX_HASH_START, PrefixFilter } from './prefix-filter';
import { bandContains, bandIntervals } from './time-of-day';

// A rate deck in columns of typed arrays, for longest-prefix lookups over up to millions of
// prefixes: about 40 bytes a rate, no object per row. Prefixes (1-15 digits, E.164 has at most 15) are
// grouped by length and kept as sorted numbers; a lookup tries the destination's prefixes from the
// longest down: a Bloom filter rules most lengths out, the rest is a binary search in that length's
// group. Rates of one prefix (an all-day rate and time-of-day bands) sit next to each other.

export const MAX_PREFIX_DIGITS = 15;
const NO_BAND = -1;
const UNSET = 0;

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

export interface RateConflict {
  prefix: string;
  tag: number;
  otherTag: number;
  kind: 'duplicate' | 'overlapping_band';
  // The band of the row `tag`, if it has one.
  timeFromMinute?: number;
  timeToMinute?: number;
}

interface Columns {
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

function allocate(capacity: number): Columns {
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

function copyRow(source: Columns, i: number, target: Columns, j: number): void {
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
    if (this.count === this.columns.keys.length) this.grow();
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
    const filter = new PrefixFilter(n);
    for (let j = 0; j < n; j += 1) {
      if (j > 0 && sorted.keys[j] === sorted.keys[j - 1] && sorted.lengths[j] === sorted.lengths[j - 1]) continue;
      filter.add(hashPrefix(String(sorted.keys[j] ?? 0).padStart(sorted.lengths[j] ?? 1, '0')));
    }
    const table = new RateTable(sorted, n, starts, filter);
    return { table, conflicts: table.conflicts() };
  }

  private grow(): void {
    const old = this.columns;
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
    this.columns = bigger;
  }
}

export class RateTable {
  private readonly values = new Float64Array(MAX_PREFIX_DIGITS + 1);
  private readonly hashes = new Int32Array(MAX_PREFIX_DIGITS + 1);

  constructor(
    private readonly c: Columns,
    readonly size: number,
    // starts[length]: first row of prefixes of that length; starts[length + 1]: one past the last.
    private readonly starts: Int32Array,
    private readonly filter: PrefixFilter,
  ) {}

  static of(rates: Iterable<RateInput>): RateTable {
    const builder = new RateTableBuilder();
    for (const rate of rates) builder.add(rate);
    return builder.build().table;
  }

  // Bytes held by the columns (the benchmark reports it).
  get byteLength(): number {
    const c = this.c;
    const columns = [c.keys, c.lengths, c.rates, c.fees, c.first, c.next, c.from, c.to, c.tags].reduce((sum, column) => sum + column.byteLength, 0);
    return columns + this.starts.byteLength + this.filter.byteLength;
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
    let value = 0;
    let hash = PREFIX_HASH_START;
    for (let length = 1; length <= longest; length += 1) {
      const digit = destination.charCodeAt(start + length - 1) - 48;
      if (digit < 0 || digit > 9) return -1;
      value = value * 10 + digit;
      hash = hashDigit(hash, digit);
      this.values[length] = value;
      this.hashes[length] = hash;
    }
    for (let length = longest; length >= 1; length -= 1) {
      if (this.starts[length] === this.starts[length + 1] || !this.filter.mayContain(this.hashes[length] ?? 0)) continue;
      const row = this.find(length, this.values[length] ?? 0, minuteOfDay);
      if (row >= 0) return row;
    }
    return -1;
  }

  *entries(): Generator<RateMatch> {
    for (let row = 0; row < this.size; row += 1) yield this.matchAt(row);
  }

  // Rows that clash: a prefix's all-day rate twice, the same band twice, or overlapping bands.
  conflicts(): RateConflict[] {
    const found: RateConflict[] = [];
    let row = 0;
    while (row < this.size) {
      let end = row + 1;
      while (end < this.size && this.c.keys[end] === this.c.keys[row] && this.c.lengths[end] === this.c.lengths[row]) end += 1;
      this.groupConflicts(row, end, found);
      row = end;
    }
    return found;
  }

  private groupConflicts(start: number, end: number, found: RateConflict[]): void {
    if (end - start < 2) return;
    const c = this.c;
    const prefix = this.prefixAt(start);
    const intervals: Array<{ start: number; end: number; row: number }> = [];
    let allDay = -1;
    for (let row = start; row < end; row += 1) {
      const from = c.from[row] ?? NO_BAND;
      if (from === NO_BAND) {
        if (allDay >= 0) found.push({ prefix, tag: c.tags[row] ?? 0, otherTag: c.tags[allDay] ?? 0, kind: 'duplicate' });
        else allDay = row;
        continue;
      }
      for (const [s, e] of bandIntervals(from, c.to[row] ?? 0)) intervals.push({ start: s, end: e, row });
    }
    intervals.sort((a, b) => a.start - b.start || a.row - b.row);
    let reach: { end: number; row: number } | undefined;
    const reported = new Set<number>();
    for (const interval of intervals) {
      if (reach && reach.row !== interval.row && interval.start < reach.end && !reported.has(interval.row)) {
        const same = c.from[interval.row] === c.from[reach.row] && c.to[interval.row] === c.to[reach.row];
        const band = { timeFromMinute: c.from[interval.row] ?? 0, timeToMinute: c.to[interval.row] ?? 0 };
        found.push({ prefix, tag: c.tags[interval.row] ?? 0, otherTag: c.tags[reach.row] ?? 0, kind: same ? 'duplicate' : 'overlapping_band', ...band });
        reported.add(interval.row);
      }
      if (!reach || interval.end > reach.end) reach = { end: interval.end, row: interval.row };
    }
  }

  // The row to use for this prefix value and length, or -1.
  private find(length: number, value: number, minuteOfDay: number | undefined): number {
    const c = this.c;
    let low = this.starts[length] ?? 0;
    const end = this.starts[length + 1] ?? 0;
    let high = end;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((c.keys[middle] ?? 0) < value) low = middle + 1;
      else high = middle;
    }
    let allDay = -1;
    for (let row = low; row < end && c.keys[row] === value; row += 1) {
      const from = c.from[row] ?? NO_BAND;
      if (from === NO_BAND) allDay = row;
      else if (minuteOfDay !== undefined && bandContains(from, c.to[row] ?? 0, minuteOfDay)) return row;
    }
    return allDay;
  }

  private prefixAt(row: number): string {
    return String(this.c.keys[row] ?? 0).padStart(this.c.lengths[row] ?? 1, '0');
  }

  // The rate at a row of lookupRow().
  matchAt(row: number): RateMatch {
    const c = this.c;
    const from = c.from[row] ?? NO_BAND;
    const first = c.first[row] ?? UNSET;
    const next = c.next[row] ?? UNSET;
    return {
      prefix: this.prefixAt(row),
      ratePerMinuteMicros: c.rates[row] ?? 0n,
      connectFeeMinor: c.fees[row] ?? 0n,
      ...(first !== UNSET ? { firstIncrementSeconds: first } : {}),
      ...(next !== UNSET ? { nextIncrementSeconds: next } : {}),
      ...(from !== NO_BAND ? { timeFromMinute: from, timeToMinute: c.to[row] ?? 0 } : {}),
      tag: c.tags[row] ?? 0,
    };
  }
}
