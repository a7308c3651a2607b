import { randomUUID } from 'node:crypto';
import { createBillingModule } from '../../../app/billing';
import { type CallSettlement } from '../../../app/invoice';
import { type CallEnded } from '../../../app/shared/events';
import { type Database } from '../../../app/shared/infra/prisma';
import { systemClock } from '../../../app/shared/kernel';
import { uniquePhoneNumber, uniqueUsername } from '../../support/admin-client';

// Billing as the invoice tests use it: the real module, users with credit on a plan with PSTN
// rates, calls authorised at their start (a reservation each), and the settlement the invoice
// module uses in production: billing's settle() for one event, the set-based form for batches.
export interface BillingFixture {
  settlement: CallSettlement;
  // A new user with an account and credit.
  newUser(): Promise<string>;
  // An account with credit for an existing user.
  enrol(userId: string): Promise<void>;
  // What happened at the call's start: billing authorised it and reserved credit.
  prepare(event: CallEnded): Promise<void>;
}

const RATES = ['prefix,rate_per_minute,connect_fee,first_increment,next_increment,time_from,time_to', '44,0.05,0.01,30,6,,', '1,0.012,,1,1,,'].join('\n');

export async function billingFixture(db: Database): Promise<BillingFixture> {
  const billing = createBillingModule({ db, clock: systemClock });
  const plan = await billing.createPricePlan({ name: `invoice-test-${randomUUID().slice(0, 12)}`, currency: 'USD' });
  await billing.importRates(plan.id, RATES);
  const enrol = async (userId: string): Promise<void> => {
    await billing.assignPlan(userId, plan.id);
    await billing.addBalance(userId, { amount: '1000.00', currency: 'USD', reference: 'invoice-test-seed' });
  };
  return {
    settlement: billing,
    enrol,
    newUser: async () => {
      const row = await db.user.create({ data: { username: uniqueUsername('invtest'), phoneNumber: uniquePhoneNumber() } });
      await enrol(row.id);
      return row.id;
    },
    prepare: async (event) => {
      const answer = await billing.authorize({ callId: event.callId, caller: { userId: event.caller.userId }, destination: event.dialed, onNet: false, at: new Date(event.requestedAt) });
      if (!answer.allowed) throw new Error(`billing refused the test call: ${answer.reason}`);
    },
  };
}
