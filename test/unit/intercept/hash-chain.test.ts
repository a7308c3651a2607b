import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { EvidenceKeyRing } from '../../../app/intercept/evidence-keys';
import { canonicalJson, genesisHash, recordHash, signRecord, verifyChain, type ChainedRecord } from '../../../app/intercept/hash-chain';

const keys = new EvidenceKeyRing(randomBytes(32));

function chain(warrantId: string, payloads: Record<string, unknown>[], keyed = true): ChainedRecord[] {
  const records: ChainedRecord[] = [];
  let prev = genesisHash(warrantId);
  payloads.forEach((payload, i) => {
    const record = { warrantId, seq: i + 1, kind: 'iri.begin', callId: 'c', occurredAt: new Date(1_700_000_000_000 + i).toISOString(), payload };
    const chained = keyed ? signRecord(keys, prev, record) : { ...record, prevHash: prev, hash: recordHash(prev, record) };
    records.push(chained);
    prev = chained.hash;
  });
  return records;
}

// What someone with write access to the database, but not the key, can do: recompute plain hashes.
function rehashPlain(records: ChainedRecord[], from: number, start: string): void {
  let prev = from === 0 ? start : (records[from - 1]?.hash ?? '');
  for (const record of records.slice(from)) {
    delete record.keyId;
    record.prevHash = prev;
    record.hash = recordHash(prev, record);
    prev = record.hash;
  }
}

describe('intercept hash chain', function () {
  const warrantId = '7c0a3f5e-1111-4222-8333-944455556666';
  const start = { seq: 0, hash: genesisHash(warrantId) };

  it('given records appended in order, then the chain verifies up to its head, each record keyed', function () {
    const records = chain(warrantId, [{ a: 1 }, { b: 2 }, { c: 3 }]);
    const last = records[2];
    expect(records.every((r) => r.keyId === keys.current.id)).to.equal(true);
    expect(verifyChain(keys, records, start, { seq: 3, hash: last?.hash ?? '' })).to.deep.equal([]);
  });

  it('given a payload changed afterwards, then that record no longer matches its hash', function () {
    const records = chain(warrantId, [{ talkMs: 5000 }, { talkMs: 1 }]);
    (records[0] as { payload: unknown }).payload = { talkMs: 1 };
    expect(verifyChain(keys, records, start).map((p) => p.kind)).to.deep.equal(['hash_mismatch']);
  });

  it('given a record removed, then the gap and the broken link are found', function () {
    const records = chain(warrantId, [{ a: 1 }, { b: 2 }, { c: 3 }]);
    records.splice(1, 1);
    expect(verifyChain(keys, records, start).map((p) => p.kind)).to.deep.equal(['gap', 'broken_link']);
  });

  it('given the last record removed, then the head no longer matches', function () {
    const records = chain(warrantId, [{ a: 1 }, { b: 2 }]);
    const head = { seq: 2, hash: records[1]?.hash ?? '' };
    expect(verifyChain(keys, records.slice(0, 1), start, head).map((p) => p.kind)).to.deep.equal(['head_mismatch']);
  });

  it('given a record edited and every later hash and the head recomputed as plain SHA-256, then the records after the last keyed one are unkeyed', function () {
    const records = chain(warrantId, [{ a: 1 }, { talkMs: 5000 }, { c: 3 }]);
    (records[1] as { payload: unknown }).payload = { talkMs: 1 };
    rehashPlain(records, 1, start.hash);
    const head = { seq: 3, hash: records[2]?.hash ?? '' };
    expect(verifyChain(keys, records, start, head)).to.deep.equal([{ kind: 'unkeyed', seq: 2 }, { kind: 'unkeyed', seq: 3 }]);
  });

  it('given the whole chain recomputed as plain SHA-256 where the checkpoint says it is keyed from record 1, then every record is unkeyed', function () {
    const records = chain(warrantId, [{ a: 1 }, { b: 2 }]);
    rehashPlain(records, 0, start.hash);
    expect(verifyChain(keys, records, start, undefined, 1).map((p) => p.kind)).to.deep.equal(['unkeyed', 'unkeyed']);
  });

  it('given a record re-signed with a key of its own choosing, then its hash does not match', function () {
    const records = chain(warrantId, [{ a: 1 }]);
    const forged = signRecord(new EvidenceKeyRing(randomBytes(32)), start.hash, { ...(records[0] as ChainedRecord), payload: { a: 2 } });
    expect(verifyChain(keys, [{ ...forged, keyId: keys.current.id }], start).map((p) => p.kind)).to.deep.equal(['hash_mismatch']);
    expect(verifyChain(keys, [forged], start).map((p) => p.kind)).to.deep.equal(['unknown_key']);
  });

  it('given a chain written before keyed records (plain SHA-256), then it still verifies, and keyed records may follow it', function () {
    const plain = chain(warrantId, [{ a: 1 }, { b: 2 }], false);
    const next = signRecord(keys, plain[1]?.hash ?? '', { warrantId, seq: 3, kind: 'iri.end', occurredAt: new Date(1_700_000_000_100).toISOString(), payload: {} });
    expect(verifyChain(keys, [...plain, next], start, { seq: 3, hash: next.hash }, 3)).to.deep.equal([]);
    const edited = plain.map((r) => ({ ...r }));
    (edited[0] as { payload: unknown }).payload = { a: 9 };
    rehashPlain(edited, 0, start.hash);
    expect(verifyChain(keys, [...edited, next], start, undefined, 3).map((p) => p.kind), 'the keyed record still names the old hash').to.deep.equal(['broken_link']);
  });

  it('then the canonical form ignores key order and undefined fields', function () {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).to.equal(canonicalJson({ a: { d: [1, { x: 1, y: 2 }] }, b: 1 }));
  });

  it('then each warrant starts from its own genesis', function () {
    expect(genesisHash(warrantId)).to.not.equal(genesisHash('00000000-0000-4000-8000-000000000000'));
  });
});
