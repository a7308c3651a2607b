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
  const format = options.pretty
    ? winston.format.combine(winston.format.timestamp(), winston.format.colorize(), winston.format.simple())
    : winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json());
  return new WinstonLogger(
    winston.createLogger({
      level: options.level,
      defaultMeta: { service: options.service },
      format,
      transports: [new winston.transports.Console()],
    }),
  );
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
