export * from './errors';
export * from './phone-number';
export * from './clock';
export * from './ids';
export * from './keyed-queue';
export * from './unit-of-work';
export * from './periodic-jobs';
export * from './realtime-value';
