import { open, rename, stat } from 'node:fs/promises';
import { type ChannelTimes, type SwitchCallLog } from '../call-state';
import { type Logger } from '../shared/infra/logger';
import { channelTimesOf, type CelRecord, parseCelLine } from './cel-records';

export interface CelFileCallLogOptions {
  // The file Asterisk's cel_custom appends to (asterisk/conf/cel_custom.conf).
  file: string;
  // rotate() renames the file to `<file>.1` (replacing the previous one) past this size.
  maxBytes: number;
  log: Logger;
}

const CHUNK_BYTES = 64 * 1024;
// Asterisk writes records from several threads: one may land a little after a later one.
const OUT_OF_ORDER_MS = 60_000;

// The switch's own record of answers and hang-ups: a file Asterisk appends to (CEL, cel_custom:
// it opens, appends and closes the file for each record, so a rename rotates it), on the local
// disk or a volume shared with the controller, not in PostgreSQL: it is written during a database
// outage too, and Asterisk's database role needs no new rights.
// Reading: only when the controller finds calls that ended while it was away, from the end of the
// file backwards, down to the oldest answer asked about (a controller's absence, not the whole
// file), then the previous generation if the current one does not reach back that far.
export class CelFileCallLog implements SwitchCallLog {
  constructor(private readonly options: CelFileCallLogOptions) {}

  async timesOf(channelIds: readonly string[], since: Date): Promise<Map<string, ChannelTimes>> {
    const wanted = new Set(channelIds);
    const records: CelRecord[] = [];
    const floor = since.getTime() - OUT_OF_ORDER_MS;
    for (const file of [this.options.file, `${this.options.file}.1`]) {
      const reachedFloor = await readBackwards(file, floor, (record) => {
        if (wanted.has(record.channelId)) records.push(record);
      });
      if (reachedFloor) break;
    }
    return channelTimesOf(records, wanted);
  }

  // Keeps the file's size bounded: past maxBytes it becomes `<file>.1`, and Asterisk starts a new
  // one with its next record. Two generations are kept, enough for any controller's absence that
  // is shorter than the time it takes the switch to write maxBytes.
  async rotate(): Promise<boolean> {
    const size = await sizeOf(this.options.file);
    if (size === undefined || size < this.options.maxBytes) return false;
    await rename(this.options.file, `${this.options.file}.1`);
    this.options.log.info('switch event file rotated', { file: this.options.file, bytes: size });
    return true;
  }
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

// Calls `each` with every record from the end of the file back to the first older than `floor`.
// True when it got there (nothing older is needed), false when the file (missing: empty) ended first.
async function readBackwards(file: string, floor: number, each: (record: CelRecord) => void): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
  try {
    let position = (await handle.stat()).size;
    let carry = '';
    while (position > 0) {
      const length = Math.min(CHUNK_BYTES, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position);
      const lines = (buffer.toString('latin1') + carry).split('\n');
      // The first piece may be the end of a line that starts in the previous chunk.
      carry = position > 0 ? (lines.shift() ?? '') : '';
      if (visit(lines.reverse(), floor, each)) return true;
    }
    return false;
  } finally {
    await handle.close();
  }
}

function visit(lines: string[], floor: number, each: (record: CelRecord) => void): boolean {
  let reached = false;
  for (const line of lines) {
    const record = parseCelLine(line);
    if (!record) continue;
    if (record.at.getTime() < floor) reached = true;
    else each(record);
  }
  return reached;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
