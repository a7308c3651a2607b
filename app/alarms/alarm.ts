// An open alarm: a rule that holds now for one subject (a carrier, a dependency, a user ...).
export interface Alarm {
  rule: AlarmRule;
  subject: string;
  summary: string;
  value: number;
  threshold: number;
  // When it was first seen open (kept while it stays open).
  since: string;
}

export const ALARM_RULES = ['carrier_asr_low', 'dependency_down', 'dead_letters_waiting', 'balance_low', 'destination_spike'] as const;
export type AlarmRule = (typeof ALARM_RULES)[number];

export interface AlarmThresholds {
  // A carrier's answer-seizure ratio over the window below this, with at least minCalls calls.
  carrierAsrMin: number;
  carrierAsrMinCalls: number;
  carrierAsrWindowMinutes: number;
  // A user (who has been topped up) with less available credit than this, in minor units.
  balanceLowMinor: number;
  // More calls than this to one number within the window.
  destinationSpikeCalls: number;
  destinationSpikeWindowMinutes: number;
  // Dead letters waiting: more than this.
  deadLettersMax: number;
}

// What the rules look at, read each round.
export interface AlarmFigures {
  carriers: { carrierId: string; name: string; calls: number; answered: number }[];
  dependencies: { name: string; ok: boolean; error?: string }[];
  deadLetters: number;
  lowBalances: { userId: string; username: string; availableMinor: number; currency: string }[];
  destinations: { number: string; calls: number }[];
}

type Open = Omit<Alarm, 'since'>;

// The rules: figures in, open alarms out (pure, unit-tested).
export function evaluate(figures: AlarmFigures, t: AlarmThresholds): Open[] {
  const open: Open[] = [];
  for (const c of figures.carriers) {
    const asr = c.calls > 0 ? c.answered / c.calls : 1;
    if (c.calls >= t.carrierAsrMinCalls && asr < t.carrierAsrMin) {
      open.push({ rule: 'carrier_asr_low', subject: c.carrierId, value: asr, threshold: t.carrierAsrMin, summary: `carrier ${c.name}: ASR ${Math.round(asr * 100)}% over ${c.calls} calls in ${t.carrierAsrWindowMinutes} min (below ${Math.round(t.carrierAsrMin * 100)}%)` });
    }
  }
  for (const d of figures.dependencies) {
    if (!d.ok) open.push({ rule: 'dependency_down', subject: d.name, value: 0, threshold: 1, summary: `${d.name} is down${d.error ? `: ${d.error}` : ''}` });
  }
  if (figures.deadLetters > t.deadLettersMax) {
    open.push({ rule: 'dead_letters_waiting', subject: 'DEAD_LETTERS', value: figures.deadLetters, threshold: t.deadLettersMax, summary: `${figures.deadLetters} dead letters waiting` });
  }
  for (const u of figures.lowBalances) {
    if (u.availableMinor < t.balanceLowMinor) {
      open.push({ rule: 'balance_low', subject: u.userId, value: u.availableMinor, threshold: t.balanceLowMinor, summary: `user ${u.username}: ${u.availableMinor} ${u.currency} minor units available` });
    }
  }
  for (const d of figures.destinations) {
    if (d.calls > t.destinationSpikeCalls) {
      open.push({ rule: 'destination_spike', subject: d.number, value: d.calls, threshold: t.destinationSpikeCalls, summary: `${d.calls} calls to ${d.number} in ${t.destinationSpikeWindowMinutes} min` });
    }
  }
  return open;
}
