// A carrier's quality per destination prefix over time: the sums the recommendation service keeps
// (app/routing's speed layer, per minute in which calls ended) grouped into buckets, with the
// carrier's rate for the prefix. Figures (ASR, ACD, PDD, MES) are derived from the sums by the
// reader, so buckets and prefixes add up.
export interface QualityPoint {
  at: Date;
  attempts: number;
  answered: number;
  talkMs: number;
  pddCount: number;
  pddMs: number;
  mesCount: number;
  // MES x 1000, summed over the calls measured.
  mesMilli: number;
}

export interface PrefixQuality {
  prefix: string;
  // The carrier's rate deck entry for this prefix, when it has one.
  ratePerMinuteMicros?: bigint;
  connectFeeMinor?: bigint;
  points: QualityPoint[];
}

export interface CarrierQualityQuery {
  carrierId: string;
  from: Date;
  to: Date;
  bucketSeconds: number;
}

export interface CarrierQualityHistory {
  history(query: CarrierQualityQuery): Promise<PrefixQuality[]>;
}
