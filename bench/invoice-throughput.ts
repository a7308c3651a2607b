// Call-ended events per second through the invoice pipeline: JetStream -> durable consumer ->
// billing's settle + invoice line in PostgreSQL, one transaction -> ack, with duplicates injected
// (10% of the events republished under another message id, so JetStream keeps both), redeliveries
// (events whose first delivery fails are nak'd and come back) and a check that the result holds
// each call once. Modes, measured in the same run: single (one transaction per event, billing's
// settle: the baseline), batch-loop (batches, billing's settle called per event inside them) and
// batch (batches, set-based settlement). Started by bench/invoice-throughput; results are
// explained in bench/RESULTS.md.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { type BillingService, createBillingModule } from '../app/billing';
import { createInvoiceModule, INVOICE_CONSUMER_SETUP, type InvoiceService } from '../app/invoice';
import { type CallEnded, CallEndedSchema, STREAMS } from '../app/shared/events';
import { type ConsumerDefinition, ensureConsumer, ensureStreams, type RunningConsumer, startBatchConsumer, startConsumer } from '../app/shared/infra/jetstream';
import { createLogger, silentLogger } from '../app/shared/infra/logger';
import { connectNats } from '../app/shared/infra/nats';
import { createDatabase, type Database } from '../app/shared/infra/prisma';
import { systemClock } from '../app/shared/kernel';
import { checkResult, type ResultCheck } from './lib/invoice-check';
import { endedCalls, reserveAll, seededRandom, seedSubscribers, type Subscriber } from './lib/invoice-workload';
import { ticksOf, withChildren } from './lib/monitor';

const env = process.env;
const EVENTS = Number(env.INVOICE_EVENTS ?? 20_000);
const BASELINE_EVENTS = Number(env.INVOICE_BASELINE_EVENTS ?? 3000);
const DUPLICATE_RATIO = Number(env.INVOICE_DUPLICATE_RATIO ?? 0.1);
const BATCH = Number(env.INVOICE_BATCH ?? 1000);
const PARTITIONS = Number(env.INVOICE_PARTITIONS ?? 2);
const USERS = Number(env.INVOICE_USERS ?? 500);
const FAULTS = Number(env.INVOICE_FAULTS ?? 5);
const MODES = (env.INVOICE_MODES ?? 'single,batch-loop,batch').split(',').map((mode) => mode.trim()) as Mode[];
const OUT_DIR = join(__dirname, 'out', 'invoice-throughput', new Date().toISOString().replace(/[:.]/g, '-'));

type Mode = 'single' | 'batch-loop' | 'batch';

const progress = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

interface ModeResult {
  mode: Mode;
  events: number;
  messages: number;
  duplicatesInjected: number;
  redeliveries: number;
  elapsedMs: number;
  // Batches applied whole, their mean size, and the share of the run spent in their transactions.
  batches: { count: number; meanSize: number; transactionShare: number };
  eventsPerSecond: number;
  messagesPerSecond: number;
  cpuPercent: { bench: number; postgres: number; nats: number };
  check: ResultCheck;
}

interface Context {
  db: Database;
  nc: NatsConnection;
  billing: BillingService;
  subscribers: Subscriber[];
  random: () => number;
}

const pidIn = (name: string): number | undefined => {
  try {
    return Number(readFileSync(join(env.RUN_DIR ?? '', `${name}.pid`), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
};

function cpuSnapshot(): Record<'bench' | 'postgres' | 'nats', Map<number, number>> {
  const pg = pidIn('postgres');
  const nats = pidIn('nats');
  return { bench: ticksOf([process.pid]), postgres: ticksOf(pg ? withChildren(pg) : []), nats: ticksOf(nats ? [nats] : []) };
}

function cpuPercent(before: Map<number, number>, after: Map<number, number>, elapsedMs: number): number {
  let used = 0;
  for (const [pid, ticks] of after) used += Math.max(0, ticks - (before.get(pid) ?? 0));
  return Math.round((used / 100 / (elapsedMs / 1000)) * 100);
}

// The stream's contents: every event, and for DUPLICATE_RATIO of them a second copy under another
// message id somewhere after the original (a republish outside the duplicate window).
function publication(calls: readonly CallEnded[], random: () => number): Array<{ event: CallEnded; msgId: string }> {
  const keyed = calls.map((event, index) => ({ key: index, event, msgId: event.id }));
  const duplicates = Math.round(calls.length * DUPLICATE_RATIO);
  const chosen = new Set<number>();
  while (chosen.size < duplicates) chosen.add(Math.floor(random() * calls.length));
  for (const index of chosen) {
    keyed.push({ key: index + 0.5 + random() * (calls.length - index), event: calls[index] as CallEnded, msgId: `${(calls[index] as CallEnded).id}:republished` });
  }
  return keyed.sort((a, b) => a.key - b.key);
}

async function publishAll(ctx: Context, subject: string, messages: ReadonlyArray<{ event: CallEnded; msgId: string }>): Promise<void> {
  const js = ctx.nc.jetstream();
  let next = 0;
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (next < messages.length) {
        const { event, msgId } = messages[next++] as { event: CallEnded; msgId: string };
        const ack = await js.publish(subject, JSON.stringify(event), { msgID: msgId });
        if (ack.duplicate) throw new Error(`JetStream dropped ${msgId} as a duplicate`);
      }
    }),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function runMode(ctx: Context, mode: Mode, count: number): Promise<ModeResult> {
  const tag = randomUUID().slice(0, 8);
  const def: ConsumerDefinition = { name: `bench-invoices-${mode}-${tag}`, stream: STREAMS.callEvents.name, filterSubject: `call.v1.bench-invoices-${tag}` };
  const jsm = await ctx.nc.jetstreamManager();
  await ensureConsumer(jsm, def, { ...INVOICE_CONSUMER_SETUP, maxAckPending: Math.max(INVOICE_CONSUMER_SETUP.maxAckPending ?? 0, 2 * BATCH + 100) });
  const calls = endedCalls(ctx.subscribers, count, ctx.random);
  progress(`${mode}: reserving credit for ${count} calls, as billing does at their start`);
  await reserveAll(ctx.db, ctx.billing, ctx.subscribers[0] as Subscriber, calls);
  const messages = publication(calls, ctx.random);
  progress(`${mode}: publishing ${messages.length} messages (${messages.length - count} republished duplicates) to ${def.filterSubject}`);
  await publishAll(ctx, def.filterSubject, messages);

  // Events whose first delivery fails: the server redelivers them (deliveryCount 2).
  const faulty = new Set(calls.filter((call) => call.answeredAt).slice(0, FAULTS).map((call) => call.id));
  const failedOnce = new Set<string>();
  // batch-loop: batches that call billing's settle() for each event inside their transaction.
  const invoices: InvoiceService = createInvoiceModule({ db: ctx.db, settlement: ctx.billing, log: silentLogger, consumerName: def.name, setBasedSettlement: mode !== 'batch-loop' });
  const handle = async (event: CallEnded): Promise<void> => {
    if (faulty.has(event.id) && !failedOnce.has(event.id)) {
      failedOnce.add(event.id);
      throw new Error('injected failure of a first delivery');
    }
    await invoices.invoiceCall(event);
  };
  const batches = { count: 0, events: 0, ms: 0 };
  const handleBatch = async (events: CallEnded[]): Promise<void> => {
    if (events.some((event) => faulty.has(event.id) && !failedOnce.has(event.id))) throw new Error('injected failure of a first delivery');
    const begun = performance.now();
    await invoices.invoiceCalls(events);
    batches.count += 1;
    batches.events += events.length;
    batches.ms += performance.now() - begun;
  };
  const registry = new Registry();
  const js = ctx.nc.jetstream();
  const start = (): RunningConsumer =>
    mode === 'single'
      ? startConsumer({ js, consumer: def, schema: CallEndedSchema, handle, log: silentLogger, metrics: registry, batchSize: 256, retryDelayMs: () => 200 })
      : startBatchConsumer({
          js,
          consumer: def,
          schema: CallEndedSchema,
          handle,
          handleBatch,
          // As invoiceConsumer() does: a caller's calls in one of PARTITIONS concurrent transactions.
          partitionOf: (event) => event.caller.userId,
          partitions: PARTITIONS,
          log: env.INVOICE_DEBUG ? createLogger({ level: 'warn', service: 'bench' }) : silentLogger,
          metrics: registry,
          batchSize: BATCH,
          prefetch: BATCH,
          retryDelayMs: () => 200,
        });
  const processed = (): Promise<number> => ctx.db.processedEvent.count({ where: { consumer: def.name } });
  const drained = async (): Promise<boolean> => {
    const info = await jsm.consumers.info(def.stream, def.name);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  };

  progress(`${mode}: consuming`);
  const cpuBefore = cpuSnapshot();
  const started = Date.now();
  const consumer = start();
  while (!((await processed()) >= count && (await drained()))) await sleep(20);
  const elapsedMs = Date.now() - started;
  const cpuAfter = cpuSnapshot();
  await consumer.stop();
  await jsm.consumers.delete(def.stream, def.name);

  const metric = await registry.getSingleMetric('events_redelivered_total')?.get();
  const redeliveries = metric?.values.find((v) => v.labels.consumer === def.name)?.value ?? 0;
  const check = await checkResult(ctx.db, calls, def.name, ctx.subscribers.map((s) => s.id));
  return {
    mode,
    events: count,
    messages: messages.length,
    duplicatesInjected: messages.length - count,
    redeliveries,
    elapsedMs,
    batches: { count: batches.count, meanSize: batches.count ? Math.round(batches.events / batches.count) : 0, transactionShare: Math.round((batches.ms / elapsedMs) * 100) / 100 },
    eventsPerSecond: Math.round((count / elapsedMs) * 1000),
    messagesPerSecond: Math.round((messages.length / elapsedMs) * 1000),
    cpuPercent: {
      bench: cpuPercent(cpuBefore.bench, cpuAfter.bench, elapsedMs),
      postgres: cpuPercent(cpuBefore.postgres, cpuAfter.postgres, elapsedMs),
      nats: cpuPercent(cpuBefore.nats, cpuAfter.nats, elapsedMs),
    },
    check,
  };
}

function summaryOf(result: ModeResult): string {
  const c = result.check;
  return [
    `${result.mode}: ${result.events} events (+${result.duplicatesInjected} republished, ${result.redeliveries} redeliveries) in ${(result.elapsedMs / 1000).toFixed(2)} s`,
    `  ${result.eventsPerSecond} events/s, ${result.messagesPerSecond} messages/s; CPU % of a core: bench ${result.cpuPercent.bench}, PostgreSQL ${result.cpuPercent.postgres}, NATS ${result.cpuPercent.nats}`,
    ...(result.batches.count > 0 ? [`  ${result.batches.count} batches applied whole, mean size ${result.batches.meanSize}, ${Math.round(result.batches.transactionShare * 100)}% of the time in their transactions`] : []),
    `  lines ${c.lines} for ${c.callsWithLines} calls (${c.answered} answered of ${c.calls}), duplicate lines ${c.duplicateLines}, calls charged twice ${c.callsChargedTwice}, missing ${c.missing}, processed marks ${c.processedMarks}, statement mismatches ${c.statementMismatches}, ledger mismatches ${c.ledgerMismatches}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const databaseUrl = env.DATABASE_URL;
  const natsUrl = env.NATS_URL;
  if (!databaseUrl || !natsUrl) throw new Error('DATABASE_URL and NATS_URL must be set (bench/invoice-throughput loads the profile)');
  mkdirSync(OUT_DIR, { recursive: true });
  progress(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; profile ${env.PROFILE ?? '?'}; events ${EVENTS} (baseline ${BASELINE_EVENTS}), batch ${BATCH}, partitions ${PARTITIONS}, users ${USERS}`);
  const db = createDatabase({ url: databaseUrl, poolSize: 10 });
  const nc = await connectNats(natsUrl, 'invoice-bench', silentLogger);
  try {
    await ensureStreams(await nc.jetstreamManager());
    const billing = createBillingModule({ db, clock: systemClock });
    const tag = randomUUID().slice(0, 6);
    progress(`seeding ${USERS} users with accounts, credit and a PSTN price plan`);
    const subscribers = await seedSubscribers(db, billing, USERS, tag);
    const ctx: Context = { db, nc, billing, subscribers, random: seededRandom(0x1a2b3c) };
    const results: ModeResult[] = [];
    for (const mode of MODES) {
      const result = await runMode(ctx, mode, mode === 'batch' ? EVENTS : BASELINE_EVENTS);
      progress(summaryOf(result));
      results.push(result);
    }
    writeFileSync(join(OUT_DIR, 'summary.json'), JSON.stringify({ config: { EVENTS, BASELINE_EVENTS, DUPLICATE_RATIO, BATCH, PARTITIONS, USERS, FAULTS, MODES }, results }, null, 2));
    progress(`details in ${OUT_DIR}`);

    const headline = results.find((r) => r.mode === 'batch') ?? results[results.length - 1];
    const baseline = results.find((r) => r.mode === 'single');
    if (!headline) throw new Error('no mode ran');
    const duplicates = results.reduce((sum, r) => sum + r.check.duplicates, 0);
    const missing = results.reduce((sum, r) => sum + r.check.missing, 0);
    const mismatches = results.reduce((sum, r) => sum + r.check.statementMismatches + r.check.ledgerMismatches, 0);
    console.log(`events_per_second: ${headline.eventsPerSecond} events/s`);
    if (baseline && baseline !== headline) {
      console.log(`baseline_events_per_second: ${baseline.eventsPerSecond} events/s`);
      console.log(`speedup: ${(headline.eventsPerSecond / baseline.eventsPerSecond).toFixed(1)}x`);
    }
    console.log(`events: ${headline.events}`);
    console.log(`duplicates_injected: ${headline.duplicatesInjected}`);
    console.log(`redeliveries: ${headline.redeliveries}`);
    console.log(`missing_in_result: ${missing}`);
    console.log(`mismatches_in_result: ${mismatches}`);
    console.log(`duplicates_in_result: ${duplicates}`);
    if (duplicates > 0 || missing > 0 || mismatches > 0) process.exitCode = 1;
  } finally {
    await nc.close();
    await db.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
