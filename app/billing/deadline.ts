import { BillingTimeoutError } from './errors';

// What the work under a deadline can ask: has its caller been answered without it already?
export interface Deadline {
  readonly passed: boolean;
}

// Settles with the work, or rejects with BillingTimeoutError after `ms`. The work itself goes on
// (a database transaction cannot be abandoned half-way from outside): it is handed the deadline,
// so that it can roll back instead of writing what nobody waits for any more (a reservation for a
// call already refused). What it still commits past that check is undone by the call's end:
// settle() finds the reservation, or leaves a tombstone that refuses it (call-settlement.ts).
export async function withDeadline<T>(work: (deadline: Deadline) => Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let passed = false;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      passed = true;
      reject(new BillingTimeoutError(operation, ms));
    }, ms);
  });
  try {
    return await Promise.race([work({ get passed() { return passed; } }), expired]);
  } finally {
    clearTimeout(timer);
  }
}
