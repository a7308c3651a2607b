import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import winston from 'winston';

// A structured logger: the message is a fixed string, data goes in fields, one child per call.
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

class WinstonLogger implements Logger {
  constructor(private readonly inner: winston.Logger) {}
  error(message: string, fields?: Record<string, unknown>): void { this.inner.error(message, fields); }
  warn(message: string, fields?: Record<string, unknown>): void { this.inner.warn(message, fields); }
  info(message: string, fields?: Record<string, unknown>): void { this.inner.info(message, fields); }
  debug(message: string, fields?: Record<string, unknown>): void { this.inner.debug(message, fields); }
  child(fields: Record<string, unknown>): Logger { return new WinstonLogger(this.inner.child(fields)); }
}

export function createLogger(options: { level: string; service: string; pretty?: boolean }): Logger {
  if (!options.pretty) return new JsonLinesLogger(levelOf(options.level), { service: options.service }, (line) => process.stdout.write(line));
  return new WinstonLogger(
    winston.createLogger({
      level: options.level,
      defaultMeta: { service: options.service },
      format: winston.format.combine(winston.format.timestamp(), winston.format.colorize(), winston.format.simple()),
      transports: [new winston.transports.Console()],
    }),
  );
}

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
type Level = keyof typeof LEVELS;
const levelOf = (name: string): number => LEVELS[name as Level] ?? LEVELS.info;

// bigint (money in minor units) as a number while exact, else as its digits; an Error as its message
// and stack (JSON.stringify would throw on the first and print {} for the second).
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

// The application log as JSON lines, written straight to stdout: the same fields winston's json
// format wrote (level, message, timestamp, the bindings of each child, the fields), without
// winston's per-line pipeline (a transform stream per logger, format objects, safe-stable-stringify):
// bench/call-setup's profile showed it at ~3-4% of the controller's CPU for five lines per call.
// A child only merges its bindings once, so a child per call costs one object.
export class JsonLinesLogger implements Logger {
  constructor(
    private readonly threshold: number,
    private readonly bindings: Record<string, unknown>,
    private readonly write: (line: string) => void,
  ) {}

  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warn', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.log('info', message, fields);
  }
  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('debug', message, fields);
  }
  child(fields: Record<string, unknown>): Logger {
    return new JsonLinesLogger(this.threshold, { ...this.bindings, ...fields }, this.write);
  }

  private log(level: Level, message: string, fields: Record<string, unknown> | undefined): void {
    if (LEVELS[level] > this.threshold) return;
    const entry = { level, message, ...this.bindings, ...fields, timestamp: new Date().toISOString() };
    let line: string;
    try {
      line = JSON.stringify(entry, replacer);
    } catch (error) {
      // A field that cannot be written (a cycle): the line goes out without its fields, saying why.
      line = JSON.stringify({ level, message, ...this.bindings, timestamp: entry.timestamp, logError: error instanceof Error ? error.message : String(error) });
    }
    this.write(`${line}\n`);
  }
}

export class LogFileError extends Error {
  constructor(readonly file: string, cause: unknown) {
    super(`cannot write the log file ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'LogFileError';
  }
}

// A logger of its own destination (a JSON-lines file, owner-only), for lines the application log
// must not carry. The file is opened once here so that an unwritable path stops the start.
export function createFileLogger(options: { level: string; service: string; file: string }): Logger {
  try {
    mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
    closeSync(openSync(options.file, 'a', 0o600));
  } catch (error) {
    throw new LogFileError(options.file, error);
  }
  return new WinstonLogger(
    winston.createLogger({
      level: options.level,
      defaultMeta: { service: options.service },
      format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
      transports: [new winston.transports.File({ filename: options.file, options: { flags: 'a', mode: 0o600 } })],
    }),
  );
}

// Logs nothing; for unit tests.
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silentLogger,
};
