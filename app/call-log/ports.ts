import { type CallEnded } from '../shared/events';
import { type CallRecord, type CallRecordCursor, type CallRecordFilter, type CallStatsRow } from './call-record';

// What a record adds to the event: the node and, for a call through a carrier, its cost.
export interface RecordExtras {
  node?: string;
  carrierCost?: { micros: bigint; currency: string };
}

export interface CallRecordRepository {
  // Writes the record of this ended call unless it exists; false when it already did (a redelivery).
  insertOnce(event: CallEnded, extras?: RecordExtras): Promise<boolean>;
  find(callId: string): Promise<CallRecord | undefined>;
}

export interface CallRecordSearch {
  // Newest first, at most `limit`, after the cursor.
  page(filter: CallRecordFilter, limit: number, cursor?: CallRecordCursor): Promise<CallRecord[]>;
  // Every match, newest first, in batches (an export of any size).
  all(filter: CallRecordFilter): AsyncGenerator<CallRecord[]>;
  // Sums per bucket of requested time, or per carrier over the whole filter.
  stats(filter: CallRecordFilter, by: { bucketSeconds: number } | 'carrier'): Promise<CallStatsRow[]>;
}

// The carrier's price of a finished call (the recommendation service's rate decks).
export interface CarrierCosts {
  carrierCostOf(carrierId: string, dialed: string, callerNumber: string, talkSeconds: number): { micros: bigint; currency: string } | undefined;
}
