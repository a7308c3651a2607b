import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface AriAccess {
  url: string;
  user: string;
  password: string;
}

async function ariList(ari: AriAccess, resource: 'channels' | 'bridges'): Promise<unknown[]> {
  const res = await fetch(`${ari.url}/ari/${resource}`, {
    headers: { authorization: `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}` },
  });
  if (!res.ok) throw new Error(`ARI GET /${resource} answered ${res.status}`);
  return (await res.json()) as unknown[];
}

// Waits until Asterisk has no channel left (every call of a step is torn down); returns what is left.
export async function waitForIdle(ari: AriAccess, maxSeconds: number): Promise<{ channels: number; bridges: number }> {
  const deadline = Date.now() + maxSeconds * 1000;
  let channels = (await ariList(ari, 'channels')).length;
  while (channels > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    channels = (await ariList(ari, 'channels')).length;
  }
  return { channels, bridges: (await ariList(ari, 'bridges')).length };
}

export interface TaskprocessorDepth {
  name: string;
  processed: number;
  maxDepth: number;
  highWater: number;
  // Longest single task, in microseconds (Asterisk 22 shows it as "High time(us)").
  maxTaskUs: number;
}

const cli = (projectRoot: string, command: string): Promise<{ stdout: string }> =>
  run(join(projectRoot, 'scripts', 'asterisk-cli.sh'), ['bench', command], { maxBuffer: 16 * 1024 * 1024 });

// Zeroes every queue's counters and maximum depth, so that the next reading covers one step only.
export async function resetTaskprocessors(projectRoot: string): Promise<void> {
  await cli(projectRoot, 'core reset taskprocessors');
}

// `core show taskprocessors`, grouped: serializers and pool members have numbered names and are
// grouped by what precedes the number. Deepest queue first. A queue at its high water mark is what
// Asterisk warns about ("taskprocessor queue reached ... scheduled tasks").
export async function taskprocessors(projectRoot: string): Promise<TaskprocessorDepth[]> {
  const { stdout } = await cli(projectRoot, 'core show taskprocessors');
  const grouped = new Map<string, TaskprocessorDepth>();
  for (const line of stdout.split('\n')) {
    // Processor  Processed  In Queue  Max Depth  Low water  High water  [Low time(us)  High time(us)]
    const [rawName, ...numbers] = line.trim().split(/\s+/);
    if (!rawName || numbers.length < 5 || !numbers.every((n) => /^\d+$/.test(n))) continue;
    const values = numbers.map(Number);
    const name = rawName.replace(/-[0-9a-f]{8}$/, '-*');
    const row = { name, processed: values[0] ?? 0, maxDepth: values[2] ?? 0, highWater: values[4] ?? 0, maxTaskUs: values[6] ?? 0 };
    const seen = grouped.get(name);
    grouped.set(
      name,
      seen
        ? { name, processed: seen.processed + row.processed, maxDepth: Math.max(seen.maxDepth, row.maxDepth), highWater: seen.highWater, maxTaskUs: Math.max(seen.maxTaskUs, row.maxTaskUs) }
        : row,
    );
  }
  return [...grouped.values()].sort((a, b) => b.maxDepth - a.maxDepth || b.maxTaskUs - a.maxTaskUs);
}

// The two queues that show where a call waits: the Stasis app's event queue (one per ARI app,
// drained by one thread: every event to the controller goes through it) and PJSIP's.
export function queueDepths(rows: TaskprocessorDepth[]): { ari: number; sip: number; ariTasks: number } {
  const matching = (pattern: RegExp): TaskprocessorDepth[] => rows.filter((row) => pattern.test(row.name));
  const deepest = (pattern: RegExp): number => Math.max(0, ...matching(pattern).map((row) => row.maxDepth));
  const ari = /^stasis\/m:ari:application\//;
  return {
    ari: deepest(ari),
    sip: deepest(/^(pjsip\/distributor|taskpool\/s:pjsip)/),
    ariTasks: matching(ari).reduce((sum, row) => sum + row.processed, 0),
  };
}

// Which events Asterisk sends the Stasis app (ARI applications eventFilter); empty lists send all.
export async function setEventFilter(ari: AriAccess, app: string, allowed: string[]): Promise<void> {
  const res = await fetch(`${ari.url}/ari/applications/${encodeURIComponent(app)}/eventFilter`, {
    method: 'PUT',
    headers: {
      authorization: `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ allowed: allowed.map((type) => ({ type })), disallowed: [] }),
  });
  if (!res.ok) throw new Error(`ARI PUT /applications/${app}/eventFilter answered ${res.status}`);
}
