import { AppError } from '../../kernel';

// Node's socket errors: the peer is gone, refuses, or does not answer.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
// PostgreSQL: connection exceptions (class 08), the server shutting down or starting (57P01-57P03),
// too many connections (53300), a serialization failure or deadlock (40001, 40P01: retry as is).
const PG_TRANSIENT = /^(08...|57P0[123]|53300|40001|40P01)$/;
// Prisma: cannot reach or lost the database (P1001, P1002, P1008, P1017), pool timeout (P2024),
// transaction API errors while the database is gone (P2028).
const PRISMA_TRANSIENT = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
// node-redis's errors while Redis is unreachable, and NATS's while the server is.
const TRANSIENT_NAMES = new Set(['ClientClosedError', 'ClientOfflineError', 'SocketClosedUnexpectedlyError', 'ConnectionTimeoutError', 'TimeoutError', 'RedisTimeoutError', 'ReconnectStrategyError']);
// (Not any "timeout": a lock or statement timeout is this event's own contention.)
const TRANSIENT_MESSAGE =
  /connection terminated|connection refused|connection (is )?closed|server closed the connection|timeout exceeded when trying to connect|can't reach database server|the client is (closed|offline)|socket closed unexpectedly|no responders|econnrefused|econnreset/i;

// Whether an error says a dependency (PostgreSQL, Redis, NATS, a peer over the network) is down or
// slow, rather than that this event cannot be applied: such a failure is retried for as long as it
// lasts and never dead-letters the event. Follows `cause` chains (wrapped errors).
export function isDependencyFailure(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 8; depth += 1) {
    if (current instanceof AppError && current.kind === 'unavailable') return true;
    if (typeof current === 'object') {
      const { code, name, message } = current as { code?: unknown; name?: unknown; message?: unknown };
      if (typeof code === 'string' && (SOCKET_CODES.has(code) || PG_TRANSIENT.test(code) || PRISMA_TRANSIENT.has(code))) return true;
      if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) return true;
      if (typeof message === 'string' && TRANSIENT_MESSAGE.test(message)) return true;
      if (Array.isArray((current as { errors?: unknown }).errors) && (current as { errors: unknown[] }).errors.some(isDependencyFailure)) return true;
      current = (current as { cause?: unknown }).cause;
    } else {
      return false;
    }
  }
  return false;
}
