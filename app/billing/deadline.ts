import { BillingTimeoutError } from './errors';

// Settles with the work, or rejects with BillingTimeoutError after `ms`. The work itself goes on
// (a database transaction cannot be abandoned half-way); what it leaves is cleaned up by the
// call's end (settle releases its reservation) or by the sweep.
export async function withDeadline<T>(work: Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BillingTimeoutError(operation, ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
