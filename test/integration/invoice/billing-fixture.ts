import { randomUUID } from 'node:crypto';
import { type CallSettlement } from '../../../app/invoice';
import { type CallEnded } from '../../../app/shared/events';
import { type Database } from '../../../app/shared/infra/prisma';
import { stubSettlement } from './support';

// Billing as the invoice tests use it: users with credit, calls authorised at their start, and
// settle() for the invoice consumer.
export interface BillingFixture {
  settlement: CallSettlement;
  // A user id with an account and credit (no users row: billing does not need one for settle).
  newUser(): Promise<string>;
  // An account with credit for an existing user.
  enrol(userId: string): Promise<void>;
  // What happened at the call's start (billing authorised it).
  prepare(event: CallEnded): Promise<void>;
}

export function billingFixture(_db: Database): Promise<BillingFixture> {
  return Promise.resolve({ settlement: stubSettlement, newUser: () => Promise.resolve(randomUUID()), enrol: () => Promise.resolve(), prepare: () => Promise.resolve() });
}
