import { createHash } from 'node:crypto';

// Deterministic event ids: the same fact always gets the same id, so an event republished after a
// crash (or by a second controller) is dropped by JetStream's duplicate window and by consumers.
export function deterministicEventId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
