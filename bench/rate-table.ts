// Longest-prefix rating over a carrier-sized rate deck: 1,000,000 prefixes through the CSV reader
// into app/rating's RateTable, then lookups of random E.164 numbers. Prints the build time, the
// memory of the table's columns, the heap a Map of one object per rate would take for the same
// deck (the naive alternative), and lookups per second. Pure CPU and memory: nothing else needs to
// run. Knobs (environment): RATE_PREFIXES=1000000, RATE_LOOKUPS=2000000.
// Run: node --expose-gc node_modules/.bin/tsx bench/rate-table.ts (or bench/rate-table).
import { cpus } from 'node:os';
import { readRateDeck, type RateTable } from '../app/rating';

const PREFIXES = Number(process.env.RATE_PREFIXES ?? 1_000_000);
const LOOKUPS = Number(process.env.RATE_LOOKUPS ?? 2_000_000);
const COUNTRY_CODES = ['1', '44', '49', '33', '39', '34', '91', '86', '81', '55', '52', '7', '234', '254', '880', '971', '966', '62', '63', '84'];

// mulberry32: a seeded generator, so every run rates the same deck.
let seed = 0x5eed_2026;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const heapMb = (): number => process.memoryUsage().heapUsed / 1e6;

function deckCsv(): string {
  const seen = new Set<string>();
  const lines = ['prefix,rate_per_minute,connect_fee,first_increment,next_increment,time_from,time_to'];
  while (seen.size < PREFIXES) {
    const prefix = pick(COUNTRY_CODES) + digits(2 + Math.floor(random() * 7));
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    const rate = `0.${String(Math.floor(random() * 300_000)).padStart(6, '0')}`;
    lines.push(`${prefix},${rate},,1,1,,`);
    // One prefix in twenty also has an off-peak band.
    if (seen.size % 20 === 0) lines.push(`${prefix},0.001,,1,1,20:00,08:00`);
  }
  return `${lines.join('\n')}\n`;
}

function mapHeapMb(table: RateTable): number {
  gc();
  const before = heapMb();
  const map = new Map<string, unknown>();
  for (const rate of table.entries()) map.set(rate.timeFromMinute === undefined ? rate.prefix : `${rate.prefix}@${rate.timeFromMinute}`, rate);
  gc();
  const used = heapMb() - before;
  if (map.size === 0) throw new Error('empty map');
  return used;
}

async function main(): Promise<void> {
  const csv = deckCsv();
  gc();
  const heapBefore = heapMb();
  let started = performance.now();
  const deck = await readRateDeck(csv, { minorUnitDigits: 2 });
  const buildMs = performance.now() - started;
  if (!deck.ok) throw new Error(`the generated deck is invalid: ${JSON.stringify(deck.errors.slice(0, 3))}`);
  const table = deck.table;
  gc();
  const heapAfter = heapMb();

  const numbers = Array.from({ length: 100_000 }, () => `+${pick(COUNTRY_CODES)}${digits(10)}`);
  let hits = 0;
  started = performance.now();
  for (let i = 0; i < LOOKUPS; i += 1) if (table.lookup(numbers[i % numbers.length] ?? '', i % 1440)) hits += 1;
  const lookupMs = performance.now() - started;

  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}`);
  // Headline figures, last, one per line: "name: value unit". Typed arrays are off-heap, hence
  // table_heap (after gc) next to table_columns; map_of_objects_heap is the same rates, one object each.
  const figures: Array<[string, string, string]> = [
    ['rates', String(table.size), 'rates'],
    ['csv_size', (csv.length / 1e6).toFixed(1), 'MB'],
    ['read_and_build', buildMs.toFixed(0), 'ms'],
    ['read_rows_per_second', String(Math.round(deck.rows / (buildMs / 1000))), 'rows/s'],
    ['table_column_bytes_per_rate', (table.byteLength / table.size).toFixed(1), 'B'],
    ['table_heap', (heapAfter - heapBefore).toFixed(1), 'MB'],
    ['table_columns', (table.byteLength / 1e6).toFixed(1), 'MB'],
    ['map_of_objects_heap', mapHeapMb(table).toFixed(1), 'MB'],
    ['lookups', String(LOOKUPS), 'lookups'],
    ['lookup_hit_ratio', (hits / LOOKUPS).toFixed(3), ''],
    ['lookups_per_second', String(Math.round(LOOKUPS / (lookupMs / 1000))), 'lookups/s'],
    ['lookup_time', ((lookupMs * 1000) / LOOKUPS).toFixed(2), 'us'],
  ];
  for (const [name, value, unit] of figures) console.log(`${name}: ${value}${unit ? ` ${unit}` : ''}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
