import { expect } from 'chai';
import { PrefixTrie } from '../../../app/rating';

// Rows as the rate table sorts them: by length, then by value; starts[length] = first row of it.
function sortedRows(prefixes: readonly string[]): { keys: Float64Array; starts: Int32Array; rowOf: Map<string, number> } {
  const sorted = [...prefixes].sort((a, b) => a.length - b.length || Number(a) - Number(b));
  const keys = Float64Array.from(sorted, Number);
  const starts = new Int32Array(17);
  for (const prefix of sorted) starts[prefix.length + 1] = (starts[prefix.length + 1] ?? 0) + 1;
  for (let length = 1; length <= 16; length += 1) starts[length] = (starts[length] ?? 0) + (starts[length - 1] ?? 0);
  const rowOf = new Map<string, number>();
  sorted.forEach((prefix, row) => (rowOf.has(prefix) ? undefined : rowOf.set(prefix, row)));
  return { keys, starts, rowOf };
}

function matchesOf(trie: PrefixTrie, destination: string, from = 0): number[] {
  const rows = new Int32Array(15);
  const count = trie.matches(destination, from, Math.min(15, destination.length - from), rows);
  return [...rows.subarray(0, count)];
}

describe('rating: prefix trie', function () {
  it('given prefixes, then a walk finds the first row of every prefix of the destination, shortest first', function () {
    const { keys, starts, rowOf } = sortedRows(['44', '4420', '447', '1', '0044', '442']);
    const trie = PrefixTrie.build(keys, starts, 15);
    expect(matchesOf(trie, '442071234567')).to.deep.equal([rowOf.get('44'), rowOf.get('442'), rowOf.get('4420')]);
    expect(matchesOf(trie, '+14155550100', 1)).to.deep.equal([rowOf.get('1')]);
    expect(matchesOf(trie, '33123456789')).to.deep.equal([]);
    expect(matchesOf(trie, '')).to.deep.equal([]);
  });

  it('given prefixes with leading zeros, then they are matched only by destinations with those zeros', function () {
    const { keys, starts, rowOf } = sortedRows(['0044', '44', '0']);
    const trie = PrefixTrie.build(keys, starts, 15);
    expect(matchesOf(trie, '00441234')).to.deep.equal([rowOf.get('0'), rowOf.get('0044')]);
    expect(matchesOf(trie, '0441234')).to.deep.equal([rowOf.get('0')]);
    expect(matchesOf(trie, '441234')).to.deep.equal([rowOf.get('44')]);
  });

  it('given a prefix with several rows (time-of-day bands), then the walk gives its first row', function () {
    const { keys, starts } = sortedRows(['44', '44', '44', '4420']);
    const trie = PrefixTrie.build(keys, starts, 15);
    expect(matchesOf(trie, '4420123')).to.deep.equal([0, 3]);
  });

  it('given a character that is not a digit, then the walk ends before it', function () {
    const { keys, starts, rowOf } = sortedRows(['4', '44', '441']);
    const trie = PrefixTrie.build(keys, starts, 15);
    expect(matchesOf(trie, '44a1')).to.deep.equal([rowOf.get('4'), rowOf.get('44')]);
  });

  it('given 15-digit prefixes, then they are found whole', function () {
    const { keys, starts, rowOf } = sortedRows(['999999999999999', '999999999999998', '9']);
    const trie = PrefixTrie.build(keys, starts, 15);
    expect(matchesOf(trie, '999999999999999')).to.deep.equal([rowOf.get('9'), rowOf.get('999999999999999')]);
    expect(matchesOf(trie, '999999999999997')).to.deep.equal([rowOf.get('9')]);
  });

  it('given 5,000 random prefixes, then every walk agrees with a scan of all of them, and nodes are shared', function () {
    let state = 11;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) | 0;
      return ((state >>> 8) & 0xffffff) % n;
    };
    const set = new Set<string>();
    while (set.size < 5000) {
      let prefix = '';
      const length = 1 + next(8);
      while (prefix.length < length) prefix += String(next(10));
      set.add(prefix);
    }
    const prefixes = [...set];
    const { keys, starts, rowOf } = sortedRows(prefixes);
    const trie = PrefixTrie.build(keys, starts, 15);
    expect(trie.nodeCount).to.be.below(prefixes.length * 8);
    for (let i = 0; i < 2000; i += 1) {
      let number = '';
      while (number.length < 12) number += String(next(10));
      const expected = prefixes.filter((p) => number.startsWith(p)).sort((a, b) => a.length - b.length).map((p) => rowOf.get(p));
      expect(matchesOf(trie, number), number).to.deep.equal(expected);
    }
  });
});
