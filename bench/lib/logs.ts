import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

// What a log file gained while a step ran, summarised as counts of distinct warnings.
export class LogCursor {
  private offset: number;

  constructor(private readonly file: string) {
    this.offset = this.size();
  }

  // The text appended since the last call (or since the cursor was made).
  takeNew(): string {
    const size = this.size();
    if (size < this.offset) this.offset = 0; // rotated or truncated
    const length = size - this.offset;
    if (length === 0) return '';
    const buffer = Buffer.alloc(length);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buffer, 0, length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    return buffer.toString('utf8');
  }

  private size(): number {
    return existsSync(this.file) ? statSync(this.file).size : 0;
  }
}

// Numbers, channel names and ids vary per call; without them, warnings of one kind count together.
const normalise = (text: string): string =>
  text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/(PJSIP|Local)\/[^\s'",)]+/g, '$1/<channel>')
    .replace(/\d+(\.\d+)?/g, 'N')
    .trim()
    .slice(0, 140);

const add = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

// Asterisk's messages.log: "[date time] WARNING[tid][callid] file.c: text".
export function asteriskWarnings(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^\[[^\]]+\] (WARNING|ERROR)\[\d+\](?:\[[^\]]*\])?:? ([\w./-]+:) (.*)$/.exec(line);
    if (match) add(counts, `${match[1]} ${match[2]} ${normalise(match[3] ?? '')}`);
  }
  return counts;
}

// Calls Asterisk refused because the load average was above maxload (asterisk.conf).
export function maxloadRefusals(text: string): number {
  return (text.match(/Maximum loadavg limit of/g) ?? []).length;
}

// The controller's JSON log lines at warn or error, by message (and error text, if any).
export function appWarnings(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('{') || !/"level":"(warn|error)"/.test(line)) continue;
    try {
      const entry = JSON.parse(line) as { level?: string; message?: string; error?: unknown; command?: unknown };
      const detail = [entry.command, entry.error].filter((part) => typeof part === 'string').join(': ');
      add(counts, `${entry.level} ${entry.message}${detail ? ` (${normalise(detail)})` : ''}`);
    } catch {
      add(counts, `unparsed ${normalise(line)}`);
    }
  }
  return counts;
}
