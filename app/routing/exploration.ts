import { CarrierPrefixMap } from './quality/carrier-prefix-map';
import { type Random } from './random';
import { type ScoredRoute } from './strategies';

export interface ExplorationSettings {
  // Share of decisions that explore, at most.
  rate: number;
  // Exploration picks per carrier and prefix within windowMs, at most.
  maxCalls: number;
  // Under-measured: fewer recent (decayed) attempts than this at the prefix.
  minAttempts: number;
  windowMs: number;
}

// Bounded epsilon-greedy exploration. A new carrier has no figures, and a demoted one gets no
// traffic to show it recovered: with probability `rate`, a decision puts an under-measured
// candidate first (its call fails over to the ranked ones if it fails). Bounded twice: by the
// rate, and by maxCalls per carrier and prefix per window, so a burst of calls before the first
// results come back cannot send much traffic to an unknown carrier. Per instance.
export class Explorer {
  private readonly picks = new CarrierPrefixMap<number[]>();

  constructor(
    private readonly settings: ExplorationSettings,
    private readonly random: Random,
  ) {}

  // The candidate this decision explores, if any (never the one already first).
  choose(ranked: readonly ScoredRoute[], prefix: string, nowMs: number): ScoredRoute | undefined {
    const { rate, minAttempts } = this.settings;
    if (rate <= 0 || ranked.length < 2) return undefined;
    // The coin first: most decisions do not explore, and need not look at the candidates.
    if (this.random() >= rate) return undefined;
    const eligible = ranked.slice(1).filter((route) => route.quality.evidence.recentAttempts < minAttempts && this.budgetLeft(route.carrierId, prefix, nowMs));
    const pick = eligible[Math.min(eligible.length - 1, Math.floor(this.random() * eligible.length))];
    if (!pick) return undefined;
    this.picks.upsert(pick.carrierId, prefix, () => []).push(nowMs);
    return pick;
  }

  // Picks of this carrier at this prefix within the window (for the ranking's explanation).
  picksOf(carrierId: string, prefix: string, nowMs: number): number {
    return this.recentPicks(carrierId, prefix, nowMs).length;
  }

  private budgetLeft(carrierId: string, prefix: string, nowMs: number): boolean {
    return this.recentPicks(carrierId, prefix, nowMs).length < this.settings.maxCalls;
  }

  private recentPicks(carrierId: string, prefix: string, nowMs: number): number[] {
    const times = this.picks.get(carrierId, prefix);
    if (!times) return [];
    const since = nowMs - this.settings.windowMs;
    let stale = 0;
    while (stale < times.length && (times[stale] ?? 0) <= since) stale += 1;
    if (stale > 0) times.splice(0, stale);
    if (times.length === 0) this.picks.delete(carrierId, prefix);
    return times;
  }
}
