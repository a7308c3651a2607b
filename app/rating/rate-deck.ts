import { RateCsvParser, type ParsedRate, type RateCsvOptions, type RateRowError } from './rate-csv';
import { type RateConflict, type RateTable, RateTableBuilder } from './rate-table';
import { formatClock } from './time-of-day';

export type RateDeckSource = string | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

export interface RateDeckOptions extends RateCsvOptions {
  // Past this many bytes the rest is read and dropped, and the deck is refused.
  maxBytes?: number;
  maxRows?: number;
  // Each valid row as it is read (e.g. to keep descriptions the table does not store).
  onRow?: (rate: ParsedRate) => void;
}

export type RateDeck =
  | { ok: true; table: RateTable; rows: number }
  | { ok: false; reason: 'invalid_rows' | 'too_large'; errors: RateRowError[]; errorCount: number; rows: number };

function conflictError(conflict: RateConflict): RateRowError {
  const what = conflict.kind === 'duplicate' ? 'the same prefix and time band as' : 'a time band overlapping the one of';
  const band = conflict.timeFromMinute !== undefined && conflict.timeToMinute !== undefined ? ` (${formatClock(conflict.timeFromMinute)}-${formatClock(conflict.timeToMinute)})` : '';
  return { line: conflict.tag, field: 'prefix', message: `prefix ${conflict.prefix}${band} has ${what} line ${conflict.otherTag}` };
}

// Reads a whole rate deck from CSV text or a stream of chunks into a RateTable; nothing is
// returned but errors if any row is bad or two rows clash, so a caller imports all or nothing.
export async function readRateDeck(source: RateDeckSource, options: RateDeckOptions): Promise<RateDeck> {
  const builder = new RateTableBuilder();
  const parser = new RateCsvParser(options, (rate) => {
    builder.add(rate);
    options.onRow?.(rate);
  });
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  let tooLarge = false;
  const chunks = typeof source === 'string' ? [source] : source;
  for await (const chunk of chunks) {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (tooLarge) continue;
    if ((options.maxBytes !== undefined && bytes > options.maxBytes) || (options.maxRows !== undefined && parser.rows > options.maxRows)) {
      tooLarge = true;
      continue;
    }
    parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  }
  if (tooLarge) {
    const limit = options.maxBytes !== undefined && bytes > options.maxBytes ? `${options.maxBytes} bytes` : `${options.maxRows} rows`;
    return { ok: false, reason: 'too_large', errors: [{ line: 0, message: `the file is larger than ${limit}` }], errorCount: 1, rows: parser.rows };
  }
  parser.write(decoder.decode());
  parser.end();
  // Clashing rows are reported along with malformed ones: one answer names every bad line.
  const { table, conflicts } = builder.build();
  for (const conflict of conflicts.sort((a, b) => a.tag - b.tag)) parser.report(conflictError(conflict));
  if (parser.errorCount > 0) {
    const errors = [...parser.errors].sort((a, b) => a.line - b.line);
    return { ok: false, reason: 'invalid_rows', errors, errorCount: parser.errorCount, rows: parser.rows };
  }
  return { ok: true, table, rows: parser.rows };
}
