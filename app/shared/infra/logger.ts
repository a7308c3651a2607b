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

// Logs nothing; for unit tests.
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silentLogger,
};
