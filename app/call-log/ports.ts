import { type CallEnded } from '../shared/events';
import { type CallRecord } from './call-record';

export interface CallRecordRepository {
  // Writes the record of this ended call unless it exists; false when it already did (a redelivery).
  insertOnce(event: CallEnded): Promise<boolean>;
  find(callId: string): Promise<CallRecord | undefined>;
}
