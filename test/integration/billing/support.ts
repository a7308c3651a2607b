import { randomUUID } from 'node:crypto';
import { type CallEnded } from '../../../app/shared/events';
import { type Database } from '../../../app/shared/infra/prisma';
import { uniquePhoneNumber, uniqueUsername } from '../../support/admin-client';

export const PLAN_CSV_HEADER = 'prefix,rate_per_minute,connect_fee,first_increment,next_increment,time_from,time_to';

export async function newUser(db: Database, prefix = 'bill'): Promise<{ id: string; username: string; phoneNumber: string }> {
  const row = await db.user.create({ data: { username: uniqueUsername(prefix), phoneNumber: uniquePhoneNumber() } });
  return { id: row.id, username: row.username, phoneNumber: row.phoneNumber };
}

export const uniquePlanName = (prefix = 'plan'): string => `${prefix}-${randomUUID().slice(0, 12)}`;

// The ledger's running sums, per the entry kinds' meaning (app/billing/account.ts).
export async function ledgerSums(db: Database, userId: string): Promise<{ balance: bigint; reserved: bigint; entries: number }> {
  const entries = await db.ledgerEntry.findMany({ where: { userId } });
  let balance = 0n;
  let reserved = 0n;
  for (const entry of entries) {
    if (entry.kind === 'topup') balance += entry.amountMinor;
    else if (entry.kind === 'reserve') reserved += entry.amountMinor;
    else if (entry.kind === 'release') reserved -= entry.amountMinor;
    else if (entry.kind === 'charge') {
      balance -= entry.amountMinor;
      reserved -= entry.amountMinor;
    }
  }
  return { balance, reserved, entries: entries.length };
}

export function endedEvent(input: { callId: string; caller: { id: string; username: string; phoneNumber: string }; dialed: string; talkMs: number; answered?: boolean; at?: Date }): CallEnded {
  const start = input.at ?? new Date('2026-11-25T10:00:00.000Z');
  const answered = input.answered ?? input.talkMs > 0;
  const answeredAt = new Date(start.getTime() + 3000);
  return {
    id: `ended-${input.callId}`,
    version: 1,
    type: 'call.v1.ended',
    callId: input.callId,
    occurredAt: new Date(answeredAt.getTime() + input.talkMs).toISOString(),
    caller: { userId: input.caller.id, username: input.caller.username, phoneNumber: input.caller.phoneNumber },
    dialed: input.dialed,
    cause: answered ? 'completed' : 'no_answer',
    requestedAt: start.toISOString(),
    ...(answered ? { answeredAt: answeredAt.toISOString() } : {}),
    endedAt: new Date(answeredAt.getTime() + input.talkMs).toISOString(),
    talkMs: answered ? input.talkMs : 0,
    quality: {},
    history: [],
  };
}
