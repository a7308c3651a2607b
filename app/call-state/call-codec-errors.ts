import { AppError } from '../shared/kernel';

// A stored call that cannot be read: unknown format version, truncated or malformed bytes.
export class CorruptCallStateError extends AppError {
  constructor(reason: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('CALL_STATE.CORRUPT', `stored call state is unreadable: ${reason}`, 'internal', { reason, ...details }, options);
  }
}

// A call holding a value the format cannot represent (a state or cause without a code, a fractional time).
export class UnencodableCallError extends AppError {
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super('CALL_STATE.UNENCODABLE', `call state cannot be encoded: ${reason}`, 'internal', { reason, ...details });
  }
}
