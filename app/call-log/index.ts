import { type Database } from '../shared/infra/prisma';
import { type Logger } from '../shared/infra/logger';
import { CallLog } from './call-log';
import { PrismaCallRecordRepository } from './prisma-call-record-repository';

export function createCallLogModule(deps: { db: Database; log: Logger }): CallLog {
  return new CallLog(new PrismaCallRecordRepository(deps.db), deps.log.child({ module: 'call-log' }));
}

export { CallLog } from './call-log';
export type { CallRecord } from './call-record';
