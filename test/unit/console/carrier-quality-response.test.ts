import { expect } from 'chai';
import { toPrefixQualityResponse } from '../../../app/admin-api/routes/carrier-quality';

describe('carrier quality per prefix (response)', function () {
  it('given the sums of a bucket, then ASR, ACD, PDD and MES are derived from them, and null where nothing was measured', function () {
    const response = toPrefixQualityResponse({
      prefix: '4420',
      ratePerMinuteMicros: 10_000n,
      points: [
        { at: new Date('2026-12-08T01:00:00Z'), attempts: 4, answered: 3, talkMs: 90_000, pddCount: 4, pddMs: 2000, mesCount: 2, mesMilli: 8400 },
        { at: new Date('2026-12-08T01:05:00Z'), attempts: 2, answered: 0, talkMs: 0, pddCount: 0, pddMs: 0, mesCount: 0, mesMilli: 0 },
      ],
    });
    expect(response).to.deep.equal({
      prefix: '4420',
      ratePerMinute: '0.0100',
      points: [
        { at: '2026-12-08T01:00:00.000Z', attempts: 4, answered: 3, asr: 0.75, acdSeconds: 30, pddMs: 500, mes: 4.2 },
        { at: '2026-12-08T01:05:00.000Z', attempts: 2, answered: 0, asr: 0, acdSeconds: null, pddMs: null, mes: null },
      ],
    });
  });

  it('given a prefix the deck has no rate for, then no rate is said', function () {
    expect(toPrefixQualityResponse({ prefix: '33', points: [] })).to.deep.equal({ prefix: '33', points: [] });
  });
});
