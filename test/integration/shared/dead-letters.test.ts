import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { deadLetterSubject } from '../../../app/shared/events';
import { type DeadLetter, ensureStreams, JetStreamDeadLetters } from '../../../app/shared/infra/jetstream';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectNats } from '../../../app/shared/infra/nats';
import { testEnv } from '../../support/test-env';

const Schema = z.object({ id: z.string(), amount: z.number() });

describe('integration: dead letters listed and replayed (real NATS)', function () {
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let consumer: string;
  let applied: string[];
  let failing: boolean;
  let deadLetters: JetStreamDeadLetters;
  let registry: Registry;

  const letter = (eventId: string, data: string): DeadLetter => ({
    consumer,
    subject: 'call.v1.ended',
    eventId,
    reason: 'gave up after 5 deliveries: statement line rejected',
    deliveries: 5,
    streamSeq: 1,
    failedAt: new Date().toISOString(),
    data,
  });

  before(async function () {
    nc = await connectNats(testEnv.natsUrl, 'dead-letters-test', silentLogger);
    js = nc.jetstream();
    jsm = await nc.jetstreamManager();
    await ensureStreams(jsm);
  });

  beforeEach(async function () {
    consumer = `test-dl-${randomUUID().slice(0, 8)}`;
    applied = [];
    failing = false;
    registry = new Registry();
    // The consumer's handler, idempotent by event id as every real consumer is.
    const handle = (event: z.infer<typeof Schema>): Promise<void> => {
      if (failing) return Promise.reject(new Error('still rejected'));
      if (!applied.includes(event.id)) applied.push(event.id);
      return Promise.resolve();
    };
    deadLetters = new JetStreamDeadLetters({ jsm, targets: { [consumer]: { schema: Schema, handle } }, log: silentLogger, metrics: registry });
    await js.publish(deadLetterSubject(consumer), JSON.stringify(letter('ev-1', JSON.stringify({ id: 'ev-1', amount: 5 }))));
    await js.publish(deadLetterSubject(consumer), JSON.stringify(letter('ev-2', JSON.stringify({ id: 'ev-2', amount: 7 }))));
  });

  afterEach(async function () {
    await jsm.streams.purge('DEAD_LETTERS', { filter: deadLetterSubject(consumer) });
  });

  after(async function () {
    await nc.close();
  });

  const waiting = async (): Promise<number> => (await registry.getSingleMetric('dead_letters_waiting')?.get())?.values.find((v) => v.labels.consumer === consumer)?.value ?? -1;

  it('given dead letters of a consumer, then they are listed with their reason and counted while they wait', async function () {
    const listed = await deadLetters.list({ consumer });
    expect(listed.map((entry) => entry.eventId)).to.deep.equal(['ev-1', 'ev-2']);
    expect(listed[0]).to.include({ consumer, reason: 'gave up after 5 deliveries: statement line rejected' });
    expect(listed[0]?.id).to.match(/^[0-9]+$/);
    expect(await deadLetters.refreshWaiting()).to.be.at.least(2);
    expect(await waiting()).to.equal(2);
  });

  it('given a replay whose handler fails again, then the dead letters stay with the new reason; once it succeeds they are applied once and gone, and a second replay changes nothing', async function () {
    failing = true;
    const first = await deadLetters.replay({ consumer });
    expect(first.replayed).to.equal(0);
    expect(first.failed.map((failure) => failure.reason)).to.deep.equal(['still rejected', 'still rejected']);
    expect(await deadLetters.list({ consumer })).to.have.length(2);

    failing = false;
    const [one] = await deadLetters.list({ consumer });
    const byId = await deadLetters.replay({ ids: [one?.id ?? ''] });
    expect(byId).to.deep.equal({ replayed: 1, failed: [] });
    expect(applied).to.deep.equal(['ev-1']);

    const rest = await deadLetters.replay({ consumer });
    expect(rest).to.deep.equal({ replayed: 1, failed: [] });
    expect(applied).to.deep.equal(['ev-1', 'ev-2']);
    expect(await deadLetters.list({ consumer })).to.deep.equal([]);
    expect(await waiting()).to.equal(0);

    expect(await deadLetters.replay({ consumer })).to.deep.equal({ replayed: 0, failed: [] });
    expect(applied).to.deep.equal(['ev-1', 'ev-2']);
  });
});
