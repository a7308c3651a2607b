// A carrier's rate deck imported through the admin API (POST /v1/carriers/{id}/rates, CSV) into
// the running controller: HTTP body -> app/rating's CSV reader -> carrier_rates in PostgreSQL (one
// transaction) -> the deck routing uses. Two imports of RATE_IMPORT_ROWS prefixes: into a new
// carrier, then replacing that deck (its rows deleted in the same transaction). Measured: seconds
// and rows per second each, as the client sees them; the controller's resident memory before, its
// peak (the kernel's high-water mark, VmHWM) and after, and its CPU. Started by bench/rate-import,
// which runs the controller (RATE_IMPORT_APP_PID) against the profile's stack. The last lines are
// `name: value unit`.
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import pg from 'pg';

const env = process.env;
const ROWS = Number(env.RATE_IMPORT_ROWS ?? 500_000);
const ADMIN_URL = `http://${env.ADMIN_HOST ?? '127.0.0.1'}:${env.ADMIN_PORT ?? '8080'}`;
const TOKEN = env.ADMIN_TOKEN ?? '';
const APP_PID = Number(env.RATE_IMPORT_APP_PID);
const DATABASE_URL = env.DATABASE_URL ?? '';
// Destinations of a realistic deck; each gets its share of the prefixes, all of one length per code.
const COUNTRY_CODES = ['1', '44', '49', '33', '39', '34', '91', '86', '81', '55', '52', '7', '234', '254', '880', '971', '966', '62', '63', '84'];

const progress = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

// Prefixes are a country code and a 6-digit suffix: unique, since codes of one length differ.
function deckCsv(rows: number): Buffer {
  const lines = ['prefix,rate_per_minute,connect_fee,first_increment,next_increment'];
  for (let i = 0; i < rows; i += 1) {
    const code = COUNTRY_CODES[i % COUNTRY_CODES.length] ?? '1';
    const suffix = String(Math.floor(i / COUNTRY_CODES.length)).padStart(6, '0');
    lines.push(`${code}${suffix},0.${String(1000 + (i % 90_000)).padStart(6, '0')},,${i % 3 === 0 ? 1 : 60},${i % 3 === 0 ? 1 : 60}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

function procStatus(pid: number): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const match = /^(Vm\w+|Rss\w+):\s+(\d+) kB/.exec(line);
    if (match) fields[match[1] ?? ''] = Number(match[2]) / 1024;
  }
  return fields;
}

const cpuSeconds = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${ADMIN_URL}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

interface ImportRun {
  seconds: number;
  rowsPerSecond: number;
  appCpuSeconds: number;
  peakRssMb: number;
}

// One import, with the controller's resident memory sampled every 50 ms (VmHWM has the true peak).
async function importDeck(carrierId: string, csv: Buffer): Promise<ImportRun> {
  let sampledPeak = 0;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, procStatus(APP_PID).VmRSS ?? 0)), 50);
  const cpuBefore = cpuSeconds(APP_PID);
  const started = performance.now();
  const res = await fetch(`${ADMIN_URL}/v1/carriers/${carrierId}/rates`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' }, body: csv });
  const body = (await res.json()) as { imported?: number };
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  if (res.status !== 200 || body.imported !== ROWS) throw new Error(`import answered ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
  return { seconds, rowsPerSecond: ROWS / seconds, appCpuSeconds: cpuSeconds(APP_PID) - cpuBefore, peakRssMb: Math.max(sampledPeak, procStatus(APP_PID).VmRSS ?? 0) };
}

async function main(): Promise<void> {
  if (!APP_PID || !TOKEN || !DATABASE_URL) throw new Error('run through bench/rate-import (it starts the controller and sets RATE_IMPORT_APP_PID, ADMIN_TOKEN, DATABASE_URL)');
  const csv = deckCsv(ROWS);
  progress(`deck of ${ROWS} prefixes, ${(csv.length / 1e6).toFixed(1)} MB of CSV`);
  const carrier = await api('POST', '/v1/carriers', { name: `bench-rate-import-${Date.now().toString(36)}`, host: '192.0.2.1' });
  const carrierId = String(carrier.id);
  const idle = procStatus(APP_PID);
  try {
    progress('import into a new carrier');
    const first = await importDeck(carrierId, csv);
    progress(`  ${first.seconds.toFixed(1)} s, ${Math.round(first.rowsPerSecond)} rows/s`);
    progress('import replacing that deck');
    const second = await importDeck(carrierId, csv);
    progress(`  ${second.seconds.toFixed(1)} s, ${Math.round(second.rowsPerSecond)} rows/s`);
    const after = procStatus(APP_PID);
    const figures: Array<[string, string, string]> = [
      ['machine', `${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`, ''],
      ['rows', String(ROWS), ''],
      ['csv_size', (csv.length / 1e6).toFixed(1), 'MB'],
      ['replace_seconds', second.seconds.toFixed(2), 's'],
      ['replace_rows_per_s', Math.round(second.rowsPerSecond).toString(), 'rows/s'],
      ['import_app_cpu_seconds', first.appCpuSeconds.toFixed(1), 's'],
      ['app_rss_before_mb', (idle.VmRSS ?? 0).toFixed(0), 'MB'],
      ['app_rss_sampled_peak_mb', Math.max(first.peakRssMb, second.peakRssMb).toFixed(0), 'MB'],
      ['app_rss_after_mb', (after.VmRSS ?? 0).toFixed(0), 'MB'],
      ['import_seconds', first.seconds.toFixed(2), 's'],
      ['import_rows_per_s', Math.round(first.rowsPerSecond).toString(), 'rows/s'],
      ['app_peak_rss_mb', (after.VmHWM ?? 0).toFixed(0), 'MB'],
    ];
    for (const [name, value, unit] of figures) console.log(`${name}: ${value}${unit ? ` ${unit}` : ''}`);
  } finally {
    // The bench leaves nothing behind: the carrier goes as the API deletes it, its deck with it.
    await api('DELETE', `/v1/carriers/${carrierId}`);
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      await client.query('DELETE FROM carrier_rates WHERE carrier_id = $1', [carrierId]);
      await client.query('DELETE FROM routing_deck_versions WHERE carrier_id = $1', [carrierId]);
    } finally {
      await client.end();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
