import { type Logger } from '../shared/infra/logger';
import { type Sql } from '../shared/infra/sql';
import { CallLog } from './call-log';
import { PgCallRecordRepository } from './pg-call-record-repository';
import { PgCallRecordSearch } from './pg-call-record-search';
import { type CarrierCosts } from './ports';

export function createCallLogModule(deps: { sql: Sql; log: Logger; node?: string; costs?: CarrierCosts }): CallLog {
  return new CallLog(new PgCallRecordRepository(deps.sql), new PgCallRecordSearch(deps.sql), deps.log.child({ module: 'call-log' }), {
    ...(deps.node ? { node: deps.node } : {}),
    ...(deps.costs ? { costs: deps.costs } : {}),
  });
}

export { CallLog } from './call-log';
export type { CallRecord, CallRecordFilter, CallRecordCursor, CallStatsRow } from './call-record';
export { encodeCursor, decodeCursor } from './call-record-query';
export type { CarrierCosts } from './ports';
