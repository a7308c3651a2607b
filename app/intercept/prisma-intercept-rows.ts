import { type Prisma } from '../shared/infra/prisma/generated/client';
import { type ChainedRecord } from './hash-chain';
import { type ContentState, type Intercept, type Recording } from './model';
import { type WarrantTarget } from './ports';
import { type Warrant, type WarrantStatus } from './warrant';

// Rows of the li_* tables as the module's types: the Prisma types stay in the adapter files. The
// plain SQL reads (pg-call-intercepts.ts) select the same columns under these names and map them
// with the same functions.
export type WarrantRow = Prisma.LiWarrantGetPayload<object>;
// A warrant's own columns: its chain head belongs to the chain store.
export type WarrantColumns = Omit<WarrantRow, 'chainSeq' | 'chainHead'>;
export type InterceptRow = Prisma.LiInterceptGetPayload<object>;
type RecordingRow = Prisma.LiRecordingGetPayload<object>;
type EventRow = Prisma.LiEventGetPayload<object>;

const opt = <T>(value: T | null): T | undefined => value ?? undefined;

export function toWarrant(row: WarrantColumns, targets: WarrantTarget[]): Warrant {
  return {
    id: row.id,
    agencyId: row.agencyId,
    targets,
    content: row.content,
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    status: row.status as WarrantStatus,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.deactivatedAt ? { deactivatedAt: row.deactivatedAt } : {}),
  };
}

export function toIntercept(row: InterceptRow): Intercept {
  return {
    id: row.id,
    warrantId: row.warrantId,
    callId: row.callId,
    targetRole: row.targetRole as Intercept['targetRole'],
    targetChannelId: opt(row.targetChannelId),
    state: row.state as Intercept['state'],
    contentState: row.contentState as ContentState,
    contentAttempts: row.contentAttempts,
    contentError: opt(row.contentError),
    nextAttemptAt: opt(row.nextAttemptAt),
    begunAt: row.begunAt,
    answeredAt: opt(row.answeredAt),
    endedAt: opt(row.endedAt),
  };
}

export function toRecording(row: RecordingRow): Recording {
  return {
    id: row.id,
    interceptId: row.interceptId,
    warrantId: row.warrantId,
    callId: row.callId,
    segment: row.segment,
    tap: { inChannelId: row.snoopInId, outChannelId: row.snoopOutId, nameIn: row.nameIn, nameOut: row.nameOut },
    state: row.state as Recording['state'],
    attempts: row.attempts,
    lastError: opt(row.lastError),
    startedAt: row.startedAt,
    endedAt: opt(row.endedAt),
    durationMs: opt(row.durationMs),
    sizeBytes: opt(row.sizeBytes),
    sha256: opt(row.sha256),
    objectSha256: opt(row.objectSha256),
    objectKey: opt(row.objectKey),
    copies: row.copies,
    missingLocations: row.missingLocations ?? [],
    spoolKept: row.spoolKept,
    storedAt: opt(row.storedAt),
    retainUntil: opt(row.retainUntil),
    purgedAt: opt(row.purgedAt),
  };
}

export function toChained(row: EventRow): ChainedRecord {
  return {
    warrantId: row.warrantId,
    seq: row.seq,
    kind: row.kind,
    ...(row.interceptId ? { interceptId: row.interceptId } : {}),
    ...(row.callId ? { callId: row.callId } : {}),
    occurredAt: row.occurredAt.toISOString(),
    payload: row.payload,
    prevHash: row.prevHash,
    hash: row.hash,
    ...(row.keyId ? { keyId: row.keyId } : {}),
  };
}

export const short = (text: string | undefined): string | undefined => (text === undefined ? undefined : text.slice(0, 500));

export function dedupeTargets(targets: WarrantTarget[]): WarrantTarget[] {
  const seen = new Map(targets.map((t) => [`${t.type}\u0000${t.value}`, t]));
  return [...seen.values()];
}
