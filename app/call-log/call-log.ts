import { type CallEnded } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { type CallRecord } from './call-record';
import { type CallRecordRepository } from './ports';

// The call logs: every finished call becomes one call record, from its call.v1.ended event.
export class CallLog {
  constructor(
    private readonly records: CallRecordRepository,
    private readonly log: Logger,
  ) {}

  // Consumer handler of call.v1.ended: idempotent, so a redelivered event writes nothing twice.
  async recordEndedCall(event: CallEnded): Promise<void> {
    const written = await this.records.insertOnce(event);
    if (!written) this.log.info('call record already written', { callId: event.callId, eventId: event.id });
  }

  find(callId: string): Promise<CallRecord | undefined> {
    return this.records.find(callId);
  }
}
