import { expect } from 'chai';
import { canonicalJson, genesisHash, recordHash, verifyChain, type ChainedRecord } from '../../../app/intercept/hash-chain';

function chain(warrantId: string, payloads: Record<string, unknown>[]): ChainedRecord[] {
  const records: ChainedRecord[] = [];
  let prev = genesisHash(warrantId);
  payloads.forEach((payload, i) => {
    const record = { warrantId, seq: i + 1, kind: 'iri.begin', callId: 'c', occurredAt: new Date(1_700_000_000_000 + i).toISOString(), payload };
    const hash = recordHash(prev, record);
    records.push({ ...record, prevHash: prev, hash });
    prev = hash;
  });
  return records;
}

describe('intercept hash chain', function () {
  const warrantId = '7c0a3f5e-1111-4222-8333-944455556666';
  const start = { seq: 0, hash: genesisHash(warrantId) };

  it('given records appended in order, then the chain verifies up to its head', function () {
    const records = chain(warrantId, [{ a: 1 }, { b: 2 }, { c: 3 }]);
    const last = records[2];
    expect(verifyChain(records, start, { seq: 3, hash: last?.hash ?? '' })).to.deep.equal([]);
  });

  it('given a payload changed afterwards, then that record no longer matches its hash', function () {
    const records = chain(warrantId, [{ talkMs: 5000 }, { talkMs: 1 }]);
    (records[0] as { payload: unknown }).payload = { talkMs: 1 };
    expect(verifyChain(records, start).map((p) => p.kind)).to.deep.equal(['hash_mismatch']);
  });

  it('given a record removed, then the gap and the broken link are found', function () {
    const records = chain(warrantId, [{ a: 1 }, { b: 2 }, { c: 3 }]);
    records.splice(1, 1);
    expect(verifyChain(records, start).map((p) => p.kind)).to.deep.equal(['gap', 'broken_link']);
  });

  it('given the last record removed, then the head no longer matches', function () {
    const records = chain(warrantId, [{ a: 1 }, { b: 2 }]);
    const head = { seq: 2, hash: records[1]?.hash ?? '' };
    expect(verifyChain(records.slice(0, 1), start, head).map((p) => p.kind)).to.deep.equal(['head_mismatch']);
  });

  it('given a record rehashed after a change, then the next record still exposes it', function () {
    const records = chain(warrantId, [{ a: 1 }, { b: 2 }]);
    const first = records[0] as ChainedRecord;
    first.payload = { a: 2 };
    first.hash = recordHash(first.prevHash, first);
    expect(verifyChain(records, start).map((p) => p.kind)).to.deep.equal(['broken_link']);
  });

  it('then the canonical form ignores key order and undefined fields', function () {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).to.equal(canonicalJson({ a: { d: [1, { x: 1, y: 2 }] }, b: 1 }));
  });

  it('then each warrant starts from its own genesis', function () {
    expect(genesisHash(warrantId)).to.not.equal(genesisHash('00000000-0000-4000-8000-000000000000'));
  });
});
