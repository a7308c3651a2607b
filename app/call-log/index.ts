import { type Logger } from '../shared/infra/logger';
import { type Sql } from '../shared/infra/sql';
import { CallLog } from './call-log';
import { PgCallRecordRepository } from './pg-call-record-repository';

export function createCallLogModule(deps: { sql: Sql; log: Logger }): CallLog {
  return new CallLog(new PgCallRecordRepository(deps.sql), deps.log.child({ module: 'call-log' }));
}

export { CallLog } from './call-log';
export type { CallRecord } from './call-record';
