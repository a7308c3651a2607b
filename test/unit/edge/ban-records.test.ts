import { expect } from 'chai';
import { bansOf, countsOf, htableItems, parseBan, statsOf } from '../../../app/edge/ban-records';

// What Kamailio's htable.dump answers: one entry per hash slot, each with its items.
const dump = (...items: Array<{ name: string; value: string | number }>): unknown => items.map((item, i) => ({ entry: i, size: 1, slot: [{ ...item, type: typeof item.value === 'number' ? 'int' : 'str' }] }));

describe('edge: the ban records of the edge', function () {
  it('given a ban as edge-guard.cfg writes it, then its address, reason, failures and end are read', function () {
    expect(parseBan('203.0.113.7', 'until=1796681328;reason=auth;failures=10')).to.deep.equal({ address: '203.0.113.7', reason: 'auth', failures: 10, until: new Date(1796681328 * 1000) });
    expect(parseBan('2001:db8::1', 'until=1796681328;reason=flood;failures=0')).to.include({ reason: 'flood', failures: 0 });
  });

  it('given a value that is not a ban (no end, an unknown reason, a count), then it is left out rather than guessed', function () {
    expect(parseBan('a', 'reason=auth;failures=1')).to.equal(undefined);
    expect(parseBan('a', 'until=1796681328;reason=whatever;failures=1')).to.equal(undefined);
    expect(parseBan('a', 7)).to.equal(undefined);
    expect(bansOf(dump({ name: '198.51.100.2', value: 'until=1796681328;reason=scanner;failures=0' }, { name: 'junk', value: 3 })).map((ban) => ban.address)).to.deep.equal(['198.51.100.2']);
  });

  it('given an answer that is not a dump (null, an object, slots without items), then there are no items', function () {
    expect(htableItems(null)).to.deep.equal([]);
    expect(htableItems({ slot: [] })).to.deep.equal([]);
    expect(htableItems([{ entry: 1 }, { slot: [{ name: 1, value: 'x' }] }])).to.deep.equal([]);
  });

  it('given failure counts, then they are listed most failures first, and zero counts are left out', function () {
    expect(countsOf(dump({ name: 'alice', value: 3 }, { name: 'bob', value: 12 }, { name: 'carol', value: 0 }))).to.deep.equal([
      { key: 'bob', failures: 12 },
      { key: 'alice', failures: 3 },
    ]);
  });

  it("given the edge's counters, then each is named; one the edge has not written yet is 0", function () {
    expect(statsOf(dump({ name: 'bans', value: 4 }, { name: 'auth_failures', value: 40 }, { name: 'unknown_domain', value: 2 }))).to.deep.equal({
      bans: 4,
      lifts: 0,
      authFailures: 40,
      scannerDrops: 0,
      floods: 0,
      unknownDomain: 2,
      dropped: 0,
    });
  });
});
