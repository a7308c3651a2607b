// Additive quality sums of one carrier at one prefix. The batch layer, the speed layer and their
// merge are all sums of these, so batch + speed equals a recomputation from the call records.
// Whole numbers throughout (MES in thousandths, jitter in microseconds): sums in any order agree.
export interface QualityCounters {
  // Attempts through the carrier (not counting a caller's cancel before any answer) and answers.
  attempts: number;
  answered: number;
  // Talk time of the calls the carrier answered.
  talkMs: number;
  // Attempts with a post-dial delay, and its sum.
  pddCount: number;
  pddMs: number;
  // Answered calls with RTP statistics of the carrier leg.
  mediaCount: number;
  // ... of which with a media experience score (0-100), summed in thousandths.
  mesCount: number;
  mesMilli: number;
  // Receive jitter summed in microseconds over mediaCount calls.
  jitterMicros: number;
  rxPackets: number;
  lostPackets: number;
}

export const COUNTER_FIELDS = ['attempts', 'answered', 'talkMs', 'pddCount', 'pddMs', 'mediaCount', 'mesCount', 'mesMilli', 'jitterMicros', 'rxPackets', 'lostPackets'] as const satisfies ReadonlyArray<keyof QualityCounters>;

export function emptyCounters(): QualityCounters {
  return { attempts: 0, answered: 0, talkMs: 0, pddCount: 0, pddMs: 0, mediaCount: 0, mesCount: 0, mesMilli: 0, jitterMicros: 0, rxPackets: 0, lostPackets: 0 };
}

// target += factor * source
export function addCounters(target: QualityCounters, source: QualityCounters, factor = 1): QualityCounters {
  for (const field of COUNTER_FIELDS) target[field] += source[field] * factor;
  return target;
}

export function sumCounters(items: Iterable<QualityCounters>): QualityCounters {
  const total = emptyCounters();
  for (const item of items) addCounters(total, item);
  return total;
}

export function isEmptyCounters(counters: QualityCounters): boolean {
  return COUNTER_FIELDS.every((field) => counters[field] === 0);
}

// A (carrier, prefix) key of the quality maps.
export const keyOf = (carrierId: string, prefix: string): string => `${carrierId}|${prefix}`;
