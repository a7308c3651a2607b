export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

// Nearest-rank percentiles (no interpolation): every figure is a set-up time that was measured.
export function percentiles(values: number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  return { count: sorted.length, p50: rank(50), p95: rank(95), p99: rank(99), max: sorted[sorted.length - 1] ?? NaN };
}

// Calls per second actually placed, from when each call was placed (ms since sipp started).
export function achievedRate(times: number[]): number {
  if (times.length < 2) return 0;
  const first = Math.min(...times);
  const last = Math.max(...times);
  return last > first ? ((times.length - 1) * 1000) / (last - first) : 0;
}

export function formatMs(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return value < 10 ? value.toFixed(1) : String(Math.round(value));
}
