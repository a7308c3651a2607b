// The console's server side beside its front end (web/): what its live feed listens to, and the
// carriers' quality over time it charts.
export { NatsCallChanges } from './nats-call-changes';
export { PgCarrierQuality } from './pg-carrier-quality';
export { type CallChanges } from './ports';
export { type CarrierQualityHistory, type CarrierQualityQuery, type PrefixQuality, type QualityPoint } from './carrier-quality';
