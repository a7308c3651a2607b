import { type Logger } from '../../../app/shared/infra/logger';

export interface LogEntry {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

// A logger that keeps what was logged, so tests can assert on it.
export function capturingLogger(entries: LogEntry[] = [], bound: Record<string, unknown> = {}): Logger & { entries: LogEntry[] } {
  const at =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}): void => {
      entries.push({ level, message, fields: { ...bound, ...fields } });
    };
  return {
    entries,
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: (fields) => capturingLogger(entries, { ...bound, ...fields }),
  };
}
