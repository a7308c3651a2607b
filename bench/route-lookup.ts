// getRoute over 20 carriers whose rate decks hold 1,000,000 prefixes in all: the time and memory
// to load the decks (CSV through app/rating's reader, as the rate-import API does), then the
// latency (p50/p99) and rate of routing decisions by app/routing's engine (deck lookups, quality
// estimates from both layers, blended score, bounded exploration), against a naive baseline that
// scans every carrier's prefixes. In memory: nothing else needs to run. Knobs (environment):
// ROUTE_CARRIERS=20 ROUTE_PREFIXES=1000000 ROUTE_LOOKUPS=200000 ROUTE_NAIVE_LOOKUPS=200.
// ROUTE_WITH_RETAIL=1 (set by bench/route-lookup, which then starts PostgreSQL) also measures the
// whole decision as the call path makes it: routesFor = the caller's retail price from billing
// (PostgreSQL) + the ranking; knobs ROUTE_RETAIL_DECISIONS=5000 ROUTE_RETAIL_CONCURRENCY=8
// ROUTE_RETAIL_PREFIXES=2000 (rates in the caller's plan). Its figures are then printed last.
// Run: bench/route-lookup (node --expose-gc ... bench/route-lookup.ts). The last lines are
// `name: value unit`.
import { cpus, loadavg, totalmem } from 'node:os';
import { readRateDeck } from '../app/rating';
import {
  type CarrierInfo,
  CarrierDecks,
  DEFAULT_ROUTING_OPTIONS,
  emptyCounters,
  Explorer,
  QualityBook,
  type QualityRow,
  qualityKeysOf,
  type RetailRate,
  RouteEngine,
  seededRandom,
  strategyNamed,
} from '../app/routing';
import { measureRetailPath } from './lib/retail-path';

const CARRIERS = Number(process.env.ROUTE_CARRIERS ?? 20);
const PREFIXES = Number(process.env.ROUTE_PREFIXES ?? 1_000_000);
const LOOKUPS = Number(process.env.ROUTE_LOOKUPS ?? 200_000);
const NAIVE_LOOKUPS = Number(process.env.ROUTE_NAIVE_LOOKUPS ?? 200);
const WITH_RETAIL = process.env.ROUTE_WITH_RETAIL === '1';
const COUNTRY_CODES = ['1', '44', '49', '33', '39', '34', '91', '86', '81', '55', '52', '7', '234', '254', '880', '971', '966', '62', '63', '84'];
const MINUTE = 60_000;
const NOW = Date.parse('2026-11-25T12:00:00.000Z');

const random = seededRandom(0x5eed_2026);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const memoryMb = (): { heap: number; buffers: number } => {
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed / 1e6, buffers: usage.arrayBuffers / 1e6 };
};

// One carrier's deck: every country code (so every number has all carriers as candidates, the
// worst case), then prefixes of country code + 2-8 digits up to its share of the total.
function deckCsv(count: number): { csv: string; prefixes: string[] } {
  const seen = new Set<string>(COUNTRY_CODES);
  const lines = ['prefix,rate_per_minute,connect_fee,first_increment,next_increment'];
  for (const code of COUNTRY_CODES) lines.push(`${code},0.${String(50_000 + Math.floor(random() * 200_000)).padStart(6, '0')},,60,60`);
  while (seen.size < count) {
    const prefix = pick(COUNTRY_CODES) + digits(2 + Math.floor(random() * 7));
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    lines.push(`${prefix},0.${String(Math.floor(random() * 300_000)).padStart(6, '0')},,${pick(['1', '30', '60'])},${pick(['1', '6', '60'])}`);
  }
  return { csv: `${lines.join('\n')}\n`, prefixes: [...seen] };
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const carriers: CarrierInfo[] = Array.from({ length: CARRIERS }, (_, i) => ({ id: `carrier-${String(i).padStart(2, '0')}`, name: `carrier ${i}`, enabled: true, deleted: false, allowAboveRetail: false }));
  const generated = carriers.map(() => deckCsv(Math.floor(PREFIXES / CARRIERS)));
  const csvMb = generated.reduce((sum, g) => sum + g.csv.length, 0) / 1e6;

  // ---- load the decks (what start-up and an import do per carrier)
  gc();
  const before = memoryMb();
  const decks = new CarrierDecks();
  let started = performance.now();
  for (const [i, carrier] of carriers.entries()) {
    const deck = await readRateDeck(generated[i]?.csv ?? '', { minorUnitDigits: 2 });
    if (!deck.ok) throw new Error(`generated deck invalid: ${JSON.stringify(deck.errors.slice(0, 3))}`);
    decks.install(carrier.id, { table: deck.table, version: 1 });
  }
  const loadMs = performance.now() - started;
  gc();
  const after = memoryMb();

  // ---- quality figures of both layers: a batch row per carrier and prefix (country and country
  // + 2 digits, NANP + 3), and an hour of speed minutes for a tenth of them.
  const book = new QualityBook(DEFAULT_ROUTING_OPTIONS.recentHalfLifeMinutes * MINUTE);
  const rows: QualityRow[] = [];
  const areas = new Set<string>();
  for (let i = 0; i < 20_000; i += 1) {
    const keys = qualityKeysOf(`+${pick(COUNTRY_CODES)}${digits(10)}`);
    if (keys) areas.add(keys.area).valueOf();
  }
  const prefixes = [...COUNTRY_CODES, ...areas];
  for (const carrier of carriers) {
    for (const prefix of prefixes) {
      const attempts = 50 + Math.floor(random() * 5000);
      const answered = Math.floor(attempts * (0.3 + random() * 0.4));
      rows.push({ carrierId: carrier.id, prefix, counters: { ...emptyCounters(), attempts, answered, talkMs: answered * (60_000 + Math.floor(random() * 180_000)), pddCount: attempts, pddMs: attempts * (1000 + Math.floor(random() * 4000)), mediaCount: answered, mesCount: answered, mesMilli: answered * (70_000 + Math.floor(random() * 25_000)), jitterMicros: answered * Math.floor(random() * 30_000), rxPackets: answered * 5000, lostPackets: Math.floor(answered * 5000 * random() * 0.02) } });
    }
  }
  book.setBatch({ watermark: NOW - 5 * MINUTE, rows });
  let minutes = 0;
  for (const row of rows) {
    if (random() >= 0.1) continue;
    for (let m = 60; m >= 1; m -= 1) {
      book.putMinute({ carrierId: row.carrierId, prefix: row.prefix, minute: NOW - m * MINUTE, counters: { ...emptyCounters(), attempts: 2, answered: 1, talkMs: 90_000, pddCount: 2, pddMs: 5000 } });
      minutes += 1;
    }
  }

  const settings = {
    weights: { cost: 0.5, quality: 0.5 },
    carrierCurrency: 'USD',
    carrierMinorUnitDigits: 2,
    referenceCallSeconds: 120,
    estimate: { priors: DEFAULT_ROUTING_OPTIONS.priors, shrinkage: DEFAULT_ROUTING_OPTIONS.shrinkage, historyWeight: DEFAULT_ROUTING_OPTIONS.historyWeight },
    explorationMinAttempts: DEFAULT_ROUTING_OPTIONS.explorationMinAttempts,
  };
  const explorer = new Explorer({ rate: 0.05, maxCalls: 20, minAttempts: 10, windowMs: 10 * MINUTE }, seededRandom(7));
  const state = { carriers: () => carriers, decks, book };
  const engine = new RouteEngine(state, strategyNamed('blended'), explorer, settings);
  const retail: RetailRate = { currency: 'USD', ratePerMinuteMicros: 1_000_000n, connectFeeMinor: 0n, firstIncrementSeconds: 60, nextIncrementSeconds: 60 };
  const numbers = Array.from({ length: 100_000 }, () => `+${pick(COUNTRY_CODES)}${digits(10)}`);

  // ---- routing decisions: timed one by one (latency), then untimed in a row (throughput)
  const decide = (i: number, explain = false): number => engine.rank({ destination: numbers[i % numbers.length] ?? '', retail, at: new Date(NOW + i), explain }).routes.length;
  let candidates = 0;
  for (let i = 0; i < 20_000; i += 1) candidates += decide(i);
  const latency = new Float64Array(LOOKUPS);
  for (let i = 0; i < LOOKUPS; i += 1) {
    const t = process.hrtime.bigint();
    candidates += decide(i);
    latency[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  latency.sort();
  started = performance.now();
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < LOOKUPS; i += 1) candidates += decide(i);
  const perSecond = LOOKUPS / ((performance.now() - started) / 1000);
  const cpu = process.cpuUsage(cpuBefore);
  // CPU per decision (this process, GC threads included): less sensitive than wall time to other
  // processes taking the machine's cores, which the latency figures are not.
  const cpuPerDecisionUs = (cpu.user + cpu.system) / LOOKUPS;
  const explained = new Float64Array(20_000);
  for (let i = 0; i < explained.length; i += 1) {
    const t = process.hrtime.bigint();
    decide(i, true);
    explained[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  explained.sort();

  // ---- baseline: the same decision with each carrier's prefixes scanned (no index)
  const scanned = generated.map((g) => g.prefixes);
  const naiveLatency = new Float64Array(NAIVE_LOOKUPS);
  for (let i = 0; i < NAIVE_LOOKUPS; i += 1) {
    const number = (numbers[i] ?? '').slice(1);
    const t = process.hrtime.bigint();
    let found = 0;
    for (const list of scanned) {
      let best = '';
      for (const prefix of list) if (prefix.length > best.length && number.startsWith(prefix)) best = prefix;
      if (best) found += 1;
    }
    candidates += found + decide(i);
    naiveLatency[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  naiveLatency.sort();

  const model = cpus()[0]?.model ?? '?';
  const p99 = quantile(latency, 0.99);
  const figures: Array<[string, string, string]> = [
    ['machine', `${cpus().length} x ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`, ''],
    ['carriers', String(CARRIERS), ''],
    ['prefixes', String(decks.totalRates), ''],
    ['decks_csv_size', csvMb.toFixed(1), 'MB'],
    ['quality_rows', `${rows.length} batch + ${minutes} speed minutes`, ''],
    ['candidates_per_decision', (candidates / (20_000 + 2 * LOOKUPS + NAIVE_LOOKUPS)).toFixed(1), ''],
    ['decks_load_ms', loadMs.toFixed(0), 'ms'],
    ['decks_load_rows_per_s', Math.round(decks.totalRates / (loadMs / 1000)).toString(), 'rows/s'],
    ['decks_columns_mb', (decks.byteLength / 1e6).toFixed(1), 'MB'],
    ['decks_memory_mb', (after.heap - before.heap + (after.buffers - before.buffers)).toFixed(1), 'MB'],
    ['decks_bytes_per_prefix', (decks.byteLength / decks.totalRates).toFixed(1), 'B'],
    ['naive_scan_p50_us', quantile(naiveLatency, 0.5).toFixed(0), 'us'],
    ['naive_scan_p99_us', quantile(naiveLatency, 0.99).toFixed(0), 'us'],
    ['get_route_explained_p50_us', quantile(explained, 0.5).toFixed(1), 'us'],
    ['get_route_explained_p99_us', quantile(explained, 0.99).toFixed(1), 'us'],
    ['get_route_p999_us', quantile(latency, 0.999).toFixed(1), 'us'],
    ['speedup_p50_vs_naive', (quantile(naiveLatency, 0.5) / quantile(latency, 0.5)).toFixed(0), 'x'],
    ['load_average_1m', loadavg()[0]?.toFixed(1) ?? '?', ''],
    ['decision_cpu_us', cpuPerDecisionUs.toFixed(1), 'us'],
    ['decisions_per_s', Math.round(perSecond).toString(), 'decisions/s'],
    ['get_route_p50_us', quantile(latency, 0.5).toFixed(1), 'us'],
    ['get_route_p99_us', p99.toFixed(1), 'us'],
  ];
  if (WITH_RETAIL) {
    const retailPath = await measureRetailPath({
      engine,
      numbers,
      countryCodes: COUNTRY_CODES,
      decisions: Number(process.env.ROUTE_RETAIL_DECISIONS ?? 5000),
      concurrency: Number(process.env.ROUTE_RETAIL_CONCURRENCY ?? 8),
      retailPrefixes: Number(process.env.ROUTE_RETAIL_PREFIXES ?? 2000),
      databaseUrl: process.env.DATABASE_URL ?? '',
    });
    figures.push(
      [`routes_with_retail_per_s_${retailPath.concurrency}_concurrent`, Math.round(retailPath.perSecond).toString(), 'decisions/s'],
      ['route_with_retail_p50_us', quantile(retailPath.latencyUs, 0.5).toFixed(0), 'us'],
      ['route_with_retail_p99_us', quantile(retailPath.latencyUs, 0.99).toFixed(0), 'us'],
    );
  }
  for (const [name, value, unit] of figures) console.log(`${name}: ${value}${unit ? ` ${unit}` : ''}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
