import { splitCsvLine } from './csv-line';
import { DECIMAL_REASON_TEXT, parseDecimal } from './decimal';
import { MAX_PREFIX_DIGITS, type RateInput } from './rate-table';
import { isValidBand, MINUTES_PER_DAY, parseClock } from './time-of-day';

// A streaming reader of rate rows in CSV. Header (any order; the first two are required):
//   prefix,rate_per_minute,connect_fee,first_increment,next_increment,time_from,time_to[,description]
// Amounts are decimal text in major units: rate_per_minute up to 6 decimals (micro-units),
// connect_fee up to the currency's decimals. Empty optional fields take the plan's defaults.
// Text is fed in chunks of any size; every bad row is reported with its line number (1 = header).

export const RATE_COLUMNS = ['prefix', 'rate_per_minute', 'connect_fee', 'first_increment', 'next_increment', 'time_from', 'time_to', 'description'] as const;
type Column = (typeof RATE_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['prefix', 'rate_per_minute'];

// A sane ceiling: 1,000,000 major units a minute or as a connect fee.
const MAX_MAJOR = 1_000_000n;
export const MAX_INCREMENT_SECONDS = 3600;
const MAX_LINE_LENGTH = 4096;
const PREFIX = new RegExp(`^\\d{1,${MAX_PREFIX_DIGITS}}$`);

export interface RateRowError {
  line: number;
  field?: string;
  message: string;
}

export interface RateCsvOptions {
  minorUnitDigits: number;
  // Errors kept for the report; all are counted (default 1000).
  maxErrors?: number;
}

export type ParsedRate = RateInput & { tag: number; description?: string };

export class RateCsvParser {
  private pending = '';
  private line = 0;
  private columns: Column[] | undefined;
  // Index of each column in a row, -1 when the file does not have it.
  private readonly at = new Map<Column, number>();
  private readonly maxRate = MAX_MAJOR * 10n ** 6n;
  private readonly maxFee: bigint;
  private headerBroken = false;
  private readonly kept: RateRowError[] = [];
  private counted = 0;
  private rowsRead = 0;

  constructor(
    private readonly options: RateCsvOptions,
    private readonly onRow: (rate: ParsedRate) => void,
  ) {
    this.maxFee = MAX_MAJOR * 10n ** BigInt(options.minorUnitDigits);
  }

  get errors(): readonly RateRowError[] {
    return this.kept;
  }

  get errorCount(): number {
    return this.counted;
  }

  get rows(): number {
    return this.rowsRead;
  }

  write(chunk: string): void {
    const text = this.pending + chunk;
    let start = 0;
    for (let newline = text.indexOf('\n', start); newline >= 0; newline = text.indexOf('\n', start)) {
      this.handleLine(text.slice(start, newline));
      start = newline + 1;
    }
    this.pending = text.slice(start);
  }

  end(): void {
    if (this.pending.length > 0) this.handleLine(this.pending);
    this.pending = '';
    if (!this.columns && !this.headerBroken) this.report({ line: 1, message: `the file is empty: the first line must be the header ${RATE_COLUMNS.slice(0, 7).join(',')}` });
  }

  report(error: RateRowError): void {
    this.counted += 1;
    if (this.kept.length < (this.options.maxErrors ?? 1000)) this.kept.push(error);
  }

  private handleLine(raw: string): void {
    this.line += 1;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.line === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    if (text.trim() === '' || this.headerBroken) return;
    if (text.length > MAX_LINE_LENGTH) return this.report({ line: this.line, message: `the line is longer than ${MAX_LINE_LENGTH} characters` });
    const fields = splitCsvLine(text);
    if (!fields) return this.report({ line: this.line, message: 'a quoted field is not closed' });
    if (!this.columns) return this.readHeader(fields);
    this.rowsRead += 1;
    this.readRow(fields, this.columns);
  }

  private readHeader(fields: string[]): void {
    const names = fields.map((field) => field.toLowerCase());
    const problems: string[] = [];
    for (const name of names) if (!(RATE_COLUMNS as readonly string[]).includes(name)) problems.push(`unknown column "${name}"`);
    for (const name of REQUIRED) if (!names.includes(name)) problems.push(`missing column "${name}"`);
    if (new Set(names).size !== names.length) problems.push('a column appears twice');
    if (names.includes('time_from') !== names.includes('time_to')) problems.push('time_from and time_to come together');
    if (problems.length > 0) {
      this.headerBroken = true;
      this.report({ line: this.line, message: `bad header: ${problems.join('; ')} (expected ${RATE_COLUMNS.join(',')})` });
      return;
    }
    this.columns = names as Column[];
    for (const column of RATE_COLUMNS) this.at.set(column, this.columns.indexOf(column));
  }

  private cell(fields: string[], column: Column): string {
    return fields[this.at.get(column) ?? -1] ?? '';
  }

  private fail(field: Column, message: string): undefined {
    this.report({ line: this.line, field, message });
    return undefined;
  }

  private readRow(fields: string[], columns: Column[]): void {
    const line = this.line;
    if (fields.length !== columns.length) {
      this.report({ line, message: `expected ${columns.length} fields, found ${fields.length}` });
      return;
    }
    const errorsBefore = this.counted;
    let prefix = this.cell(fields, 'prefix');
    if (prefix.startsWith('+')) prefix = prefix.slice(1);
    if (!PREFIX.test(prefix)) this.fail('prefix', `must be 1-${MAX_PREFIX_DIGITS} digits`);
    const rate = this.amount(this.cell(fields, 'rate_per_minute'), 6, this.maxRate, 'rate_per_minute', true);
    const fee = this.amount(this.cell(fields, 'connect_fee'), this.options.minorUnitDigits, this.maxFee, 'connect_fee', false);
    const first = this.increment(this.cell(fields, 'first_increment'), 'first_increment');
    const next = this.increment(this.cell(fields, 'next_increment'), 'next_increment');
    const band = this.band(this.cell(fields, 'time_from'), this.cell(fields, 'time_to'));
    const description = this.cell(fields, 'description');
    if (description.length > 128) this.fail('description', 'must be at most 128 characters');
    if (this.counted > errorsBefore || rate === undefined || fee === undefined) return;

    this.onRow({
      prefix,
      ratePerMinuteMicros: rate,
      connectFeeMinor: fee,
      ...(first !== undefined ? { firstIncrementSeconds: first } : {}),
      ...(next !== undefined ? { nextIncrementSeconds: next } : {}),
      ...(band ? { timeFromMinute: band[0], timeToMinute: band[1] } : {}),
      ...(description ? { description } : {}),
      tag: line,
    });
  }

  private amount(text: string, scale: number, max: bigint, field: Column, required: boolean): bigint | undefined {
    if (text === '') return required ? this.fail(field, 'is required') : 0n;
    const parsed = parseDecimal(text, scale, max);
    if (parsed.ok) return parsed.value;
    const detail = parsed.reason === 'too_many_decimals' ? ` (at most ${scale})` : parsed.reason === 'too_large' ? ` (at most ${MAX_MAJOR})` : '';
    return this.fail(field, `${DECIMAL_REASON_TEXT[parsed.reason]}${detail}`);
  }

  private increment(text: string, field: Column): number | undefined {
    if (text === '') return undefined;
    const seconds = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
    if (!(seconds >= 1 && seconds <= MAX_INCREMENT_SECONDS)) return this.fail(field, `must be whole seconds, 1-${MAX_INCREMENT_SECONDS}`);
    return seconds;
  }

  private band(fromText: string, toText: string): [number, number] | undefined {
    if (fromText === '' && toText === '') return undefined;
    const from = parseClock(fromText);
    // "00:00" as an end means midnight at the end of the day.
    const to = toText === '00:00' ? MINUTES_PER_DAY : parseClock(toText);
    if (from === undefined || from >= MINUTES_PER_DAY) this.fail('time_from', 'must be a time HH:MM from 00:00 to 23:59 (with time_to)');
    if (to === undefined) this.fail('time_to', 'must be a time HH:MM from 00:01 to 24:00 (with time_from)');
    if (from === undefined || to === undefined || from >= MINUTES_PER_DAY) return undefined;
    if (!isValidBand(from, to)) return this.fail('time_to', 'must differ from time_from');
    return [from, to];
  }
}
