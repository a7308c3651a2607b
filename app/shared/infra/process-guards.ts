import { Counter, type Registry } from 'prom-client';
import { errorMessage } from '../kernel';
import { type Logger } from './logger';

// A promise that rejects with nobody listening must not end the controller (Node's default since
// 15): every live call it drives would lose its state machine over one failed background write.
// Each one is logged with its stack and counted, so it is found and fixed, not hidden; an
// uncaught exception (a thrown error, not a rejection) still ends the process, as the state after
// it is unknown.
// Returns what removes the handler again (tests).
export function guardUnhandledRejections(log: Logger, metrics: Registry): () => void {
  const rejections = new Counter({
    name: 'process_unhandled_rejections_total',
    help: 'Promise rejections nobody handled (logged; the process goes on)',
    registers: [metrics],
  });
  const handler = (reason: unknown): void => {
    rejections.inc();
    log.error('unhandled promise rejection', { error: errorMessage(reason), stack: reason instanceof Error ? reason.stack : undefined });
  };
  process.on('unhandledRejection', handler);
  return () => process.off('unhandledRejection', handler);
}
