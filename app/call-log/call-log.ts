import { type CallEnded } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { errorMessage } from '../shared/kernel';
import { type CallRecord, type CallRecordCursor, type CallRecordFilter, type CallStatsRow } from './call-record';
import { type CallRecordRepository, type CallRecordSearch, type CarrierCosts, type RecordExtras } from './ports';

// The call logs: every finished call becomes one call record, from its call.v1.ended event.
export class CallLog {
  constructor(
    private readonly records: CallRecordRepository,
    private readonly search: CallRecordSearch,
    private readonly log: Logger,
    private readonly options: { node?: string; costs?: CarrierCosts } = {},
  ) {}

  // Consumer handler of call.v1.ended: idempotent, so a redelivered event writes nothing twice.
  async recordEndedCall(event: CallEnded): Promise<void> {
    const written = await this.records.insertOnce(event, this.extrasOf(event));
    if (!written) this.log.info('call record already written', { callId: event.callId, eventId: event.id });
  }

  find(callId: string): Promise<CallRecord | undefined> {
    return this.records.find(callId);
  }

  page(filter: CallRecordFilter, limit: number, cursor?: CallRecordCursor): Promise<CallRecord[]> {
    return this.search.page(filter, limit, cursor);
  }

  all(filter: CallRecordFilter): AsyncGenerator<CallRecord[]> {
    return this.search.all(filter);
  }

  stats(filter: CallRecordFilter, by: { bucketSeconds: number } | 'carrier'): Promise<CallStatsRow[]> {
    return this.search.stats(filter, by);
  }

  private extrasOf(event: CallEnded): RecordExtras {
    const extras: RecordExtras = this.options.node ? { node: this.options.node } : {};
    const costs = this.options.costs;
    if (!event.carrierId || !costs) return extras;
    try {
      const cost = costs.carrierCostOf(event.carrierId, event.dialed, event.caller.phoneNumber, Math.ceil(event.talkMs / 1000));
      return cost ? { ...extras, carrierCost: cost } : extras;
    } catch (error) {
      // The record matters more than its cost: written without one, and said so.
      this.log.warn('carrier cost of a call not known', { callId: event.callId, carrierId: event.carrierId, error: errorMessage(error) });
      return extras;
    }
  }
}
