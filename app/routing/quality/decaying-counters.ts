import { COUNTER_FIELDS, emptyCounters, type QualityCounters } from './counters';

// Quality sums in a sliding window that forgets exponentially: a contribution weighs half as much
// after each half-life. Decay is applied lazily (on the next add or read), so keeping thousands of
// these costs nothing between calls.
export class DecayingCounters {
  private readonly values = emptyCounters();
  private at = Number.NEGATIVE_INFINITY;

  constructor(private readonly halfLifeMs: number) {}

  // Adds factor x counters as of `atMs` (a replaced minute row is added with -1, then its new sums).
  add(counters: QualityCounters, atMs: number, factor = 1): void {
    if (atMs >= this.at) {
      this.decayTo(atMs);
    } else {
      factor *= this.weight(this.at - atMs);
    }
    for (const field of COUNTER_FIELDS) this.values[field] += counters[field] * factor;
  }

  // The window's sums at `nowMs` (never negative: subtracting leaves rounding dust).
  valueAt(nowMs: number): QualityCounters {
    return this.valueInto(nowMs, emptyCounters());
  }

  // valueAt() written into `target` (the routing hot path reuses one): returns it.
  valueInto(nowMs: number, target: QualityCounters): QualityCounters {
    const factor = nowMs > this.at ? this.weight(nowMs - this.at) : 1;
    for (const field of COUNTER_FIELDS) target[field] = Math.max(0, this.values[field] * factor);
    return target;
  }

  private decayTo(atMs: number): void {
    if (this.at !== Number.NEGATIVE_INFINITY && atMs > this.at) {
      const factor = this.weight(atMs - this.at);
      for (const field of COUNTER_FIELDS) this.values[field] *= factor;
    }
    this.at = atMs;
  }

  private weight(ageMs: number): number {
    return 2 ** (-ageMs / this.halfLifeMs);
  }
}
