import { createHash, createHmac } from 'node:crypto';

// Hash chain over a warrant's intercept records: each record's hash covers the previous hash and
// the record's canonical JSON, so changing, removing or reordering any record breaks every later
// link. The first record links to a genesis hash derived from the warrant id.
//
// Two formats. Keyed records (v2, every record appended since) carry `keyId`, and their hash is an
// HMAC-SHA-256 under a key derived from that evidence key (EvidenceKeyRing.chainKey): the key is
// not in the database, so someone who can write the database cannot recompute a chain. Plain
// records (v1: SHA-256, no key) are the chains written before; they verify as they did, but only
// as a prefix of a chain (no plain record after a keyed one) and only where the signed checkpoint
// (chain-checkpoint.ts) allows them.

export interface ChainRecord {
  warrantId: string;
  seq: number;
  kind: string;
  interceptId?: string;
  callId?: string;
  occurredAt: string; // ISO 8601, millisecond precision
  payload: unknown;
  // The evidence key whose chain key signed this record; absent on plain (v1) records.
  keyId?: string;
}

export interface ChainedRecord extends ChainRecord {
  prevHash: string;
  hash: string;
}

// Keys of keyed records, by key id (EvidenceKeyRing implements it).
export interface ChainKeys {
  readonly current: { id: string };
  chainKey(id: string): Buffer | undefined;
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

const bodyOf = (record: ChainRecord): Record<string, unknown> => ({
  warrantId: record.warrantId,
  seq: record.seq,
  kind: record.kind,
  interceptId: record.interceptId ?? null,
  callId: record.callId ?? null,
  occurredAt: record.occurredAt,
  payload: record.payload,
});

// The plain (v1) hash: SHA-256 without a key.
export function recordHash(prevHash: string, record: ChainRecord): string {
  return sha256(`${prevHash}\n${canonicalJson(bodyOf(record))}`);
}

// The keyed (v2) hash; the key id is covered too, so a record cannot be moved to another key.
export function keyedRecordHash(chainKey: Buffer, keyId: string, prevHash: string, record: ChainRecord): string {
  return createHmac('sha256', chainKey).update(`${prevHash}\n${canonicalJson({ ...bodyOf(record), keyId })}`).digest('hex');
}

// Signs a new record with the current key.
export function signRecord(keys: ChainKeys, prevHash: string, record: Omit<ChainRecord, 'keyId'>): ChainedRecord {
  const keyId = keys.current.id;
  const key = keys.chainKey(keyId);
  if (!key) throw new Error(`no chain key for the current evidence key ${keyId}`);
  const keyed = { ...record, keyId };
  return { ...keyed, prevHash, hash: keyedRecordHash(key, keyId, prevHash, keyed) };
}

export type ChainProblem =
  | { kind: 'gap'; expectedSeq: number; foundSeq: number }
  | { kind: 'broken_link'; seq: number }
  | { kind: 'hash_mismatch'; seq: number }
  | { kind: 'unknown_key'; seq: number; keyId: string }
  // A plain (unkeyed) record where only keyed ones may be.
  | { kind: 'unkeyed'; seq: number }
  | { kind: 'head_mismatch'; headSeq: number; lastSeq: number };

export interface ChainStart {
  // The record before the first one given (after a retention purge), or the genesis.
  seq: number;
  hash: string;
}

// Checks a chain page by page, in order from `start`. Records from `keyedFrom` on must be keyed
// (undefined: plain records are allowed as a prefix only).
export class ChainChecker {
  readonly problems: ChainProblem[] = [];
  private prev: ChainStart;
  private keyedSeen = false;

  constructor(
    private readonly keys: ChainKeys,
    start: ChainStart,
    private readonly keyedFrom?: number,
  ) {
    this.prev = start;
  }

  get last(): ChainStart {
    return this.prev;
  }

  add(records: ChainedRecord[]): void {
    for (const record of records) {
      const { prev, problems } = this;
      if (record.seq !== prev.seq + 1) problems.push({ kind: 'gap', expectedSeq: prev.seq + 1, foundSeq: record.seq });
      if (record.prevHash !== prev.hash) problems.push({ kind: 'broken_link', seq: record.seq });
      if (record.keyId) {
        this.keyedSeen = true;
        const key = this.keys.chainKey(record.keyId);
        if (!key) problems.push({ kind: 'unknown_key', seq: record.seq, keyId: record.keyId });
        else if (keyedRecordHash(key, record.keyId, record.prevHash, record) !== record.hash) problems.push({ kind: 'hash_mismatch', seq: record.seq });
      } else {
        if (this.keyedSeen || (this.keyedFrom !== undefined && record.seq >= this.keyedFrom)) problems.push({ kind: 'unkeyed', seq: record.seq });
        if (recordHash(record.prevHash, record) !== record.hash) problems.push({ kind: 'hash_mismatch', seq: record.seq });
      }
      this.prev = { seq: record.seq, hash: record.hash };
    }
  }

  // `head` is what the warrant row says the last record is.
  finish(head?: { seq: number; hash: string }): ChainProblem[] {
    if (head && (head.seq !== this.prev.seq || head.hash !== this.prev.hash)) this.problems.push({ kind: 'head_mismatch', headSeq: head.seq, lastSeq: this.prev.seq });
    return this.problems;
  }
}

// A whole chain at once.
export function verifyChain(keys: ChainKeys, records: ChainedRecord[], start: ChainStart, head?: { seq: number; hash: string }, keyedFrom?: number): ChainProblem[] {
  const checker = new ChainChecker(keys, start, keyedFrom);
  checker.add(records);
  return checker.finish(head);
}
