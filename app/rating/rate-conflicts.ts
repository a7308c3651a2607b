import { type Columns, NO_BAND, prefixAt } from './rate-columns';
import { bandIntervals } from './time-of-day';

export interface RateConflict {
  prefix: string;
  tag: number;
  otherTag: number;
  kind: 'duplicate' | 'overlapping_band';
  // The band of the row `tag`, if it has one.
  timeFromMinute?: number;
  timeToMinute?: number;
}

// Rows that clash, in sorted columns: a prefix's all-day rate twice, the same band twice, or
// overlapping bands.
export function conflictsOf(c: Columns, size: number): RateConflict[] {
  const found: RateConflict[] = [];
  let row = 0;
  while (row < size) {
    let end = row + 1;
    while (end < size && c.keys[end] === c.keys[row] && c.lengths[end] === c.lengths[row]) end += 1;
    groupConflicts(c, row, end, found);
    row = end;
  }
  return found;
}

function groupConflicts(c: Columns, start: number, end: number, found: RateConflict[]): void {
  if (end - start < 2) return;
  const prefix = prefixAt(c, start);
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
