import { createHash } from 'node:crypto';

// Hash chain over a warrant's intercept records: each record's hash covers the previous hash and
// the record's canonical JSON, so changing, removing or reordering any record breaks every later
// link. The first record links to a genesis hash derived from the warrant id.

export interface ChainRecord {
  warrantId: string;
  seq: number;
  kind: string;
  interceptId?: string;
  callId?: string;
  occurredAt: string; // ISO 8601, millisecond precision
  payload: unknown;
}

export interface ChainedRecord extends ChainRecord {
  prevHash: string;
  hash: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function genesisHash(warrantId: string): string {
  return sha256(`li-chain-genesis:${warrantId}`);
}

// JSON with object keys sorted at every level: the same record always serialises the same way.
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

export function recordHash(prevHash: string, record: ChainRecord): string {
  const body = {
    warrantId: record.warrantId,
    seq: record.seq,
    kind: record.kind,
    interceptId: record.interceptId ?? null,
    callId: record.callId ?? null,
    occurredAt: record.occurredAt,
    payload: record.payload,
  };
  return sha256(`${prevHash}\n${canonicalJson(body)}`);
}

export type ChainProblem =
  | { kind: 'gap'; expectedSeq: number; foundSeq: number }
  | { kind: 'broken_link'; seq: number }
  | { kind: 'hash_mismatch'; seq: number }
  | { kind: 'head_mismatch'; headSeq: number; lastSeq: number };

export interface ChainStart {
  // The record before the first one given (after a retention purge), or the genesis.
  seq: number;
  hash: string;
}

// Checks records in order from `start`; `head` is what the warrant row says the last record is.
export function verifyChain(records: ChainedRecord[], start: ChainStart, head?: { seq: number; hash: string }): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let prev = start;
  for (const record of records) {
    if (record.seq !== prev.seq + 1) problems.push({ kind: 'gap', expectedSeq: prev.seq + 1, foundSeq: record.seq });
    if (record.prevHash !== prev.hash) problems.push({ kind: 'broken_link', seq: record.seq });
    if (recordHash(record.prevHash, record) !== record.hash) problems.push({ kind: 'hash_mismatch', seq: record.seq });
    prev = { seq: record.seq, hash: record.hash };
  }
  if (head && (head.seq !== prev.seq || head.hash !== prev.hash)) problems.push({ kind: 'head_mismatch', headSeq: head.seq, lastSeq: prev.seq });
  return problems;
}
