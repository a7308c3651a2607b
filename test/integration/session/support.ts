import { randomBytes } from 'node:crypto';
import { type JetStreamManager } from 'nats';
import { type ConnectionEvent, STREAMS } from '../../../app/shared/events';
import { type Database } from '../../../app/shared/infra/prisma';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export const epochSeconds = (offsetSeconds = 0): bigint => BigInt(Math.floor(Date.now() / 1000) + offsetSeconds);

// A contact as Asterisk's registrar writes it: id "<aor>^3B@<hash>".
export function contactOf(username: string, port = 40000 + Math.floor(Math.random() * 9000)): { id: string; uri: string; endpoint: string } {
  return { id: `${username}^3B@${randomBytes(8).toString('hex')}`, uri: `sip:${username}@127.0.0.1:${port}`, endpoint: username };
}

export async function registerContact(db: Database, contact: { id: string; uri: string; endpoint: string }, expiresInSeconds = 300): Promise<void> {
  await db.psContact.create({
    data: { ...contact, expirationTime: epochSeconds(expiresInSeconds), userAgent: 'it-device', viaAddr: '127.0.0.1', viaPort: 5060, qualifyFrequency: 0 },
  });
}

export async function refreshContact(db: Database, id: string, expiresInSeconds: number): Promise<void> {
  await db.psContact.update({ where: { id }, data: { expirationTime: epochSeconds(expiresInSeconds) } });
}

export async function lastSeq(jsm: JetStreamManager): Promise<number> {
  return (await jsm.streams.info(STREAMS.connectionEvents.name)).state.last_seq;
}

// Connection events stored in the stream after `afterSeq`, in stream order.
export async function connectionEventsAfter(jsm: JetStreamManager, afterSeq: number, filter: (event: ConnectionEvent) => boolean = () => true): Promise<ConnectionEvent[]> {
  const last = await lastSeq(jsm);
  const events: ConnectionEvent[] = [];
  for (let seq = afterSeq + 1; seq <= last; seq += 1) {
    const message = await jsm.streams.getMessage(STREAMS.connectionEvents.name, { seq });
    const event = message.json<ConnectionEvent>();
    if (filter(event)) events.push(event);
  }
  return events;
}
