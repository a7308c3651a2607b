import { type ChainedRecord } from './hash-chain';
import { objectKeyOf } from './object-keys';

// What a warrant's chain says of its recordings, record after record: stored with these hashes,
// moved to a new key (re-wrap), purged. The verifier holds the rows to it.
export interface ExpectedRecording {
  sha256: string;
  objectSha256: string;
  objectKey: string;
  sizeBytes?: number;
  purged: boolean;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function expectedRecordings(): {
  recordings: Map<string, ExpectedRecording>;
  // The sequence number up to which the last `records.purged` record says the chain was purged.
  purgedUpTo: number | undefined;
  firstAt: string | undefined;
  add(record: ChainedRecord): void;
} {
  const recordings = new Map<string, ExpectedRecording>();
  const ledger = {
    recordings,
    purgedUpTo: undefined as number | undefined,
    firstAt: undefined as string | undefined,
    add(record: ChainedRecord): void {
      ledger.firstAt ??= record.occurredAt;
      const payload = (record.payload ?? {}) as Record<string, unknown>;
      if (record.kind === 'records.purged' && typeof payload.upToSeq === 'number') ledger.purgedUpTo = payload.upToSeq;
      const recordingId = text(payload.recordingId);
      if (!recordingId) return;
      const known = recordings.get(recordingId);
      if (record.kind === 'recording.stored') {
        const sha256 = text(payload.sha256);
        const objectSha256 = text(payload.objectSha256);
        if (!sha256 || !objectSha256) return;
        recordings.set(recordingId, {
          sha256,
          objectSha256,
          // Chains written before the key was recorded: the key every recording then had.
          objectKey: text(payload.objectKey) ?? objectKeyOf({ warrantId: record.warrantId, id: recordingId }),
          ...(typeof payload.sizeBytes === 'number' ? { sizeBytes: payload.sizeBytes } : {}),
          purged: false,
        });
      } else if (record.kind === 'recording.rewrapped' && known) {
        known.objectKey = text(payload.objectKey) ?? known.objectKey;
        known.objectSha256 = text(payload.objectSha256) ?? known.objectSha256;
      } else if (record.kind === 'recording.purged' && known) {
        known.purged = true;
      }
    },
  };
  return ledger;
}
