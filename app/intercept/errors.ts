import { AppError, NotFoundError } from '../shared/kernel';

export class WarrantNotFoundError extends NotFoundError {
  constructor(warrantId: string) {
    super('WARRANT.NOT_FOUND', 'no such warrant', { warrantId });
  }
}

export class RecordingNotFoundError extends NotFoundError {
  constructor(warrantId: string, recordingId: string) {
    super('RECORDING.NOT_FOUND', 'no such recording', { warrantId, recordingId });
  }
}

export class AgencyNotFoundError extends NotFoundError {
  constructor(agencyId: string) {
    super('AGENCY.NOT_FOUND', 'no such agency', { agencyId });
  }
}

export class InvalidWarrantError extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('WARRANT.INVALID', message, 'invalid', details);
  }
}

export class WarrantDeactivatedError extends AppError {
  constructor(warrantId: string) {
    super('WARRANT.DEACTIVATED', 'the warrant is deactivated and can no longer change', 'conflict', { warrantId });
  }
}

// No copy of a recording could be read back intact.
export class EvidenceUnavailableError extends AppError {
  constructor(recordingId: string, details: Record<string, unknown> = {}) {
    super('EVIDENCE.UNAVAILABLE', 'no intact copy of the recording could be read', 'unavailable', { recordingId, ...details });
  }
}

export class EvidenceDecryptionError extends AppError {
  constructor(key: string, cause?: unknown) {
    super('EVIDENCE.UNREADABLE', 'an evidence object failed authentication or decryption', 'internal', { key }, { cause });
  }
}

// Not one evidence location took a copy.
export class EvidenceStoreError extends AppError {
  constructor(key: string, failed: { location: string; error: string }[]) {
    super('EVIDENCE.NOT_STORED', `no evidence location took the copy: ${failed.map((f) => `${f.location}: ${f.error}`).join('; ')}`, 'unavailable', { key, failed });
  }
}
