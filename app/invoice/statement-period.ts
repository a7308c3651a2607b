// Statement periods are calendar months in UTC ("2026-11"), of the call's answer. A month closes
// `graceMs` after it ends: a call that ended in its last minutes is still on it, then nothing is.

const MONTH = /^(\d{4})-(\d{2})$/;

function parse(period: string): { year: number; month: number } {
  const match = MONTH.exec(period);
  if (!match) throw new RangeError(`not a statement period: ${period}`);
  return { year: Number(match[1]), month: Number(match[2]) };
}

const format = (year: number, month: number): string => `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;

export function nextPeriod(period: string): string {
  const { year, month } = parse(period);
  return month === 12 ? format(year + 1, 1) : format(year, month + 1);
}

// The earliest month still open at `now`: lines of earlier months go to its statement.
export function openPeriodAt(now: Date, graceMs: number): string {
  return new Date(now.getTime() - graceMs).toISOString().slice(0, 7);
}
