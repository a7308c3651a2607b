// A source of uniform numbers in [0, 1): Math.random in production, seeded in tests and benches.
export type Random = () => number;

// mulberry32: small, fast, and the same sequence for the same seed.
export function seededRandom(seed: number): Random {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
