import { type PublishableEvent } from '../../events';

// The outbox: events waiting for publication, in a Redis list per controller instance. Writers
// append an entry in the same Redis transaction as the state change it describes (so neither is
// saved without the other); the JetStream publisher drains the list in order and removes an entry
// only after JetStream acknowledged it.
export const outboxKey = (instanceId: string): string => `outbox:${instanceId}`;
// The outbox's fencing token: incremented each time the instance id's lease is taken and each time
// another instance adopts the list. A publisher removes entries only if the token is still the one
// it read with them: one that stalled past its lease cannot delete what a peer adopted meanwhile.
export const outboxFenceKey = (instanceId: string): string => `${outboxKey(instanceId)}:fence`;

export interface OutboxEntry {
  subject: string;
  id: string;
  data: string; // the event as JSON
  // Entries with the same key are published in list order (the call id); absent in older entries.
  key?: string;
}

export function toOutboxEntry(event: PublishableEvent): string {
  const entry: OutboxEntry = { subject: event.type, id: event.id, data: JSON.stringify(event), ...(event.callId !== undefined ? { key: event.callId } : {}) };
  return JSON.stringify(entry);
}

export function parseOutboxEntry(raw: string): OutboxEntry {
  const entry = JSON.parse(raw) as Partial<OutboxEntry>;
  if (typeof entry.subject !== 'string' || typeof entry.id !== 'string' || typeof entry.data !== 'string' || (entry.key !== undefined && typeof entry.key !== 'string')) {
    throw new Error('malformed outbox entry');
  }
  return entry as OutboxEntry;
}
