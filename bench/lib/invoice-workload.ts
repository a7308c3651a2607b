import { randomUUID } from 'node:crypto';
import { type BillingService } from '../../app/billing';
import { type CallEnded } from '../../app/shared/events';
import { type Database } from '../../app/shared/infra/prisma';

// The invoice bench's workload: users with prepaid accounts on one price plan, and ended calls
// that billing authorised at their start (each holds a reservation, as in production).

// mulberry32: a small seeded generator, so two runs invoice the same calls.
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RATES_CSV = [
  'prefix,rate_per_minute,connect_fee,first_increment,next_increment,time_from,time_to',
  '44,0.05,0.01,30,6,,', // UK: 30 s, then 6 s at a time, with a connect fee
  '49,0.08,,60,60,,', // Germany: per minute
  '1,0.012,,1,1,,', // North America: per second
].join('\n');

const DESTINATIONS = ['+442071234567', '+447700900123', '+4930123456', '+14155550123', '+12125550199'];

export interface Subscriber {
  id: string;
  username: string;
  phoneNumber: string;
}

async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

// Users (rows of the users table), each with an account on a plan with PSTN rates and credit
// enough for every call of the run.
export async function seedSubscribers(db: Database, billing: BillingService, count: number, tag: string): Promise<Subscriber[]> {
  const plan = await billing.createPricePlan({ name: `bench-invoice-${tag}`, currency: 'USD' });
  await billing.importRates(plan.id, RATES_CSV);
  const stamp = String(Date.now() % 1e8).padStart(8, '0');
  const data = Array.from({ length: count }, (_, i) => ({ username: `bench-inv-${tag}-${i}`, phoneNumber: `+88${stamp}${String(i).padStart(4, '0')}` }));
  await db.user.createMany({ data });
  const rows = await db.user.findMany({ where: { username: { in: data.map((d) => d.username) } } });
  await inPool(rows, 8, async (user) => {
    await billing.assignPlan(user.id, plan.id);
    await billing.addBalance(user.id, { amount: '100000.00', currency: 'USD', reference: `bench-${tag}` });
  });
  return rows.map((row) => ({ id: row.id, username: row.username, phoneNumber: row.phoneNumber }));
}

// Ended calls: 85% answered with talk times around two minutes (exponential, at most an hour),
// the rest unanswered; started over the last days of the current month.
export function endedCalls(subscribers: readonly Subscriber[], count: number, random: () => number): CallEnded[] {
  const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1)).getTime();
  return Array.from({ length: count }, () => {
    const caller = subscribers[Math.floor(random() * subscribers.length)] as Subscriber;
    const destination = DESTINATIONS[Math.floor(random() * DESTINATIONS.length)] as string;
    const answered = random() < 0.85;
    const talkMs = answered ? Math.min(3_600_000, Math.round(-Math.log(1 - random()) * 120_000)) : 0;
    const requestedAt = monthStart + Math.floor(random() * 20 * 86_400_000);
    const answeredAt = requestedAt + 4000;
    const endedAt = answered ? answeredAt + talkMs : requestedAt + 30_000;
    return {
      id: randomUUID(),
      version: 1,
      type: 'call.v1.ended',
      callId: randomUUID(),
      occurredAt: new Date(endedAt).toISOString(),
      caller: { userId: caller.id, username: caller.username, phoneNumber: caller.phoneNumber },
      dialed: destination,
      cause: answered ? 'completed' : 'no_answer',
      requestedAt: new Date(requestedAt).toISOString(),
      ...(answered ? { answeredAt: new Date(answeredAt).toISOString() } : {}),
      endedAt: new Date(endedAt).toISOString(),
      talkMs,
      carrierId: 'bench-carrier',
      quality: {},
      history: [
        { state: 'requested', at: new Date(requestedAt).toISOString() },
        ...(answered ? [{ state: 'answered', at: new Date(answeredAt).toISOString() }] : []),
        { state: 'ended', at: new Date(endedAt).toISOString() },
      ],
    } satisfies CallEnded;
  });
}

// What happened at each call's start: billing reserved its first slice of credit. Authorising
// 20,000 calls one by one takes minutes, so billing authorises one call per destination for real
// and every call gets a copy of that reservation (all users have the same plan and ample credit,
// so billing would have reserved the same), with the 'reserve' ledger entries and account totals
// billing writes, running balances included. The bench's ledger check covers these rows too.
export async function reserveAll(db: Database, billing: BillingService, template: Subscriber, calls: readonly CallEnded[]): Promise<void> {
  const templates = new Map<string, string>();
  for (const destination of new Set(calls.map((call) => call.dialed))) {
    const callId = randomUUID();
    const answer = await billing.authorize({ callId, caller: { userId: template.id }, destination, onNet: false, at: new Date() });
    if (!answer.allowed) throw new Error(`the template call to ${destination} was not authorised: ${answer.reason}`);
    templates.set(destination, callId);
  }
  const rows = await db.reservation.findMany({ where: { callId: { in: [...templates.values()] } } });
  const reserved = new Map(rows.map((row) => [row.destination, row.reservedMinor]));
  const userIds = [...new Set(calls.map((call) => call.caller.userId))];
  const accounts = new Map((await db.account.findMany({ where: { userId: { in: userIds } } })).map((a) => [a.userId, { balance: a.balanceMinor, reserved: a.reservedMinor, currency: a.currency }]));
  for (let start = 0; start < calls.length; start += 5000) {
    const chunk = calls.slice(start, start + 5000);
    const entries = chunk.map((call) => {
      const account = accounts.get(call.caller.userId);
      const amount = reserved.get(call.dialed);
      if (!account || amount === undefined) throw new Error(`no account or template for call ${call.callId}`);
      account.reserved += amount;
      return { userId: call.caller.userId, callId: call.callId, template: templates.get(call.dialed) as string, amount, currency: account.currency, balanceAfter: account.balance, reservedAfter: account.reserved };
    });
    const col = <T>(pick: (entry: (typeof entries)[number]) => T): T[] => entries.map(pick);
    await db.$transaction(async (tx) => {
      await tx.$executeRaw`
        INSERT INTO reservations (call_id, user_id, currency, reserved_minor, reserved_seconds, free, destination, plan_id, prefix,
          rate_per_minute_micros, connect_fee_minor, first_increment_seconds, next_increment_seconds, rounding, status)
        SELECT v.call_id, v.user_id, r.currency, r.reserved_minor, r.reserved_seconds, r.free, r.destination, r.plan_id, r.prefix,
          r.rate_per_minute_micros, r.connect_fee_minor, r.first_increment_seconds, r.next_increment_seconds, r.rounding, 'open'
        FROM UNNEST(${col((e) => e.callId)}::uuid[], ${col((e) => e.userId)}::uuid[], ${col((e) => e.template)}::uuid[]) AS v(call_id, user_id, template)
        JOIN reservations r ON r.call_id = v.template`;
      await tx.$executeRaw`
        INSERT INTO ledger_entries (user_id, kind, amount_minor, currency, call_id, balance_after, reserved_after)
        SELECT user_id, 'reserve', amount, currency, call_id, balance_after, reserved_after
        FROM UNNEST(${col((e) => e.userId)}::uuid[], ${col((e) => e.amount)}::bigint[], ${col((e) => e.currency)}::text[], ${col((e) => e.callId)}::uuid[],
                    ${col((e) => e.balanceAfter)}::bigint[], ${col((e) => e.reservedAfter)}::bigint[]) WITH ORDINALITY
          AS v(user_id, amount, currency, call_id, balance_after, reserved_after, n)
        ORDER BY n`;
      const touched = [...new Set(col((e) => e.userId))];
      await tx.$executeRaw`
        UPDATE accounts a SET reserved_minor = v.reserved, updated_at = now()
        FROM UNNEST(${touched}::uuid[], ${touched.map((id) => accounts.get(id)?.reserved ?? 0n)}::bigint[]) AS v(user_id, reserved)
        WHERE a.user_id = v.user_id`;
    });
  }
}

// The same through billing's authorize(), call by call: what reserveAll stands in for.
export async function authorizeAll(billing: BillingService, calls: readonly CallEnded[], concurrency = 12): Promise<void> {
  await inPool(calls, concurrency, async (call) => {
    const answer = await billing.authorize({ callId: call.callId, caller: { userId: call.caller.userId }, destination: call.dialed, onNet: false, at: new Date(call.requestedAt) });
    if (!answer.allowed) throw new Error(`bench call ${call.callId} was not authorised: ${answer.reason}`);
  });
}
