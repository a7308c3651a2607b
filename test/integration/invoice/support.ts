import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { type CallSettlement } from '../../../app/invoice';
import { type CallEnded } from '../../../app/shared/events';
import { type Database } from '../../../app/shared/infra/prisma';
import { PROJECT_ROOT } from '../../support/test-env';

const run = promisify(execFile);

export const profile = process.env.TEST_PROFILE ?? 'test';

export async function restartNats(): Promise<void> {
  await run('scripts/stack.sh', [profile, 'restart', 'nats'], { cwd: PROJECT_ROOT });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// A call.v1.ended event of an answered call of `userId`, `talkSeconds` long, started `at`.
export function endedCall(userId: string, options: { talkSeconds?: number; at?: Date; destination?: string; answered?: boolean } = {}): CallEnded {
  const at = options.at ?? new Date();
  const answered = options.answered ?? true;
  const talkMs = answered ? (options.talkSeconds ?? 75) * 1000 : 0;
  const destination = options.destination ?? '+442071234567';
  return {
    id: randomUUID(),
    version: 1,
    type: 'call.v1.ended',
    callId: randomUUID(),
    occurredAt: new Date(at.getTime() + talkMs).toISOString(),
    caller: { userId, username: 'invoice-test', phoneNumber: '+14155550101' },
    dialed: destination,
    cause: answered ? 'completed' : 'no_answer',
    requestedAt: new Date(at.getTime() - 4000).toISOString(),
    ...(answered ? { answeredAt: at.toISOString() } : {}),
    endedAt: new Date(at.getTime() + talkMs).toISOString(),
    talkMs,
    quality: {},
    history: [],
  };
}

// What the tests count: invoice lines and billing's charge entries of a call.
export async function linesOf(db: Database, callId: string): Promise<number> {
  return db.invoiceLine.count({ where: { callId } });
}

export async function chargesOf(db: Database, callId: string): Promise<number> {
  return db.ledgerEntry.count({ where: { callId, kind: 'charge' } });
}

// Wraps billing so that tests can make settle() fail for chosen calls.
export function faulty(settlement: CallSettlement, failures: Map<string, number>): CallSettlement {
  const maybeFail = (callId: string): void => {
    const left = failures.get(callId) ?? 0;
    if (left > 0) {
      failures.set(callId, left - 1);
      throw new Error(`injected billing failure for ${callId}`);
    }
  };
  const settleMany = settlement.settleMany?.bind(settlement);
  return {
    settle: async (tx, event) => {
      maybeFail(event.callId);
      return settlement.settle(tx, event);
    },
    ...(settleMany
      ? {
          settleMany: async (tx, events) => {
            for (const event of events) maybeFail(event.callId);
            return settleMany(tx, events);
          },
        }
      : {}),
  };
}

