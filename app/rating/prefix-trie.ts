// A packed digit trie over the prefixes of a rate table, for longest-prefix lookups: a lookup walks
// the destination's digits from the root, one node per digit, and stops at the first digit no
// prefix continues with. A walk visits at most 15 nodes and usually 4-6; the top levels are shared
// by every lookup and stay in the CPU cache, where a search per prefix length (a filter probe and a
// binary search of ~16 steps in each length's keys) missed it at nearly every step.
//
// Nodes live in one Int32Array, three words each: the digits that have a child (a 10-bit mask),
// the index of the first child (children of a node are contiguous, ordered by digit, so a child's
// index is the first's plus the number of lower digits present), and the first table row of the
// prefix the node spells (-1: no prefix ends there). Node 0 is the root (the empty prefix). Built
// level by level from the table's rows sorted by (length, prefix): no object per node.

const NO_ROW = -1;
const WORDS = 3;

// Bits set in each 10-bit digit mask.
const POPCOUNT = new Uint8Array(1 << 10);
for (let mask = 1; mask < POPCOUNT.length; mask += 1) POPCOUNT[mask] = (POPCOUNT[mask >> 1] ?? 0) + (mask & 1);

// The digit strings of one length, as sorted numbers, and the first row of each (NO_ROW: only a
// beginning of longer prefixes).
interface Level {
  values: Float64Array;
  rows: Int32Array;
}

const parentOf = (value: number): number => (value - (value % 10)) / 10;

export class PrefixTrie {
  private constructor(private readonly nodes: Int32Array) {}

  // keys/lengths: the table's prefixes (digits as a number, and their count) sorted by length,
  // then by key; starts[length] is the first row of that length (starts[length + 1] one past the
  // last). Rows of one prefix are adjacent; the node keeps the first.
  static build(keys: Float64Array, starts: Int32Array, maxLength: number): PrefixTrie {
    const levels: Level[] = new Array<Level>(maxLength + 2);
    levels[maxLength + 1] = { values: new Float64Array(0), rows: new Int32Array(0) };
    for (let length = maxLength; length >= 1; length -= 1) {
      levels[length] = mergeLevel(keys, starts[length] ?? 0, starts[length + 1] ?? 0, (levels[length + 1] as Level).values);
    }
    levels[0] = { values: new Float64Array(1), rows: Int32Array.of(NO_ROW) };
    const offsets = new Int32Array(maxLength + 2);
    for (let length = 1; length <= maxLength + 1; length += 1) offsets[length] = (offsets[length - 1] ?? 0) + (levels[length - 1] as Level).values.length;
    const nodes = new Int32Array(WORDS * (offsets[maxLength + 1] ?? 0));
    for (let length = 0; length <= maxLength; length += 1) {
      const level = levels[length] as Level;
      const children = (levels[length + 1] as Level).values;
      let child = 0;
      for (let i = 0; i < level.values.length; i += 1) {
        const node = WORDS * ((offsets[length] ?? 0) + i);
        const value = level.values[i] ?? 0;
        // Children are sorted, and those of one node adjacent: the level's nodes take them in turn.
        while (child < children.length && length > 0 && parentOf(children[child] ?? 0) < value) child += 1;
        let mask = 0;
        const first = child;
        while (child < children.length && (length === 0 || parentOf(children[child] ?? 0) === value)) {
          mask |= 1 << (children[child] ?? 0) % 10;
          child += 1;
        }
        nodes[node] = mask;
        nodes[node + 1] = (offsets[length + 1] ?? 0) + first;
        nodes[node + 2] = level.rows[i] ?? NO_ROW;
      }
    }
    return new PrefixTrie(nodes);
  }

  get byteLength(): number {
    return this.nodes.byteLength;
  }

  get nodeCount(): number {
    return this.nodes.length / WORDS;
  }

  // The first rows of the destination's prefixes in the table, shortest first, into `rows`; how
  // many. `digits`: the destination's digits from `from`, at most rows.length of them; a character
  // that is not a digit ends the walk (the caller decides what such a destination means).
  matches(destination: string, from: number, digits: number, rows: Int32Array): number {
    const nodes = this.nodes;
    let node = 0;
    let found = 0;
    for (let i = 0; i < digits; i += 1) {
      const digit = destination.charCodeAt(from + i) - 48;
      if (digit < 0 || digit > 9) break;
      const mask = nodes[node] ?? 0;
      if ((mask & (1 << digit)) === 0) break;
      node = WORDS * ((nodes[node + 1] ?? 0) + (POPCOUNT[mask & ((1 << digit) - 1)] ?? 0));
      const row = nodes[node + 2] ?? NO_ROW;
      if (row !== NO_ROW) rows[found++] = row;
    }
    return found;
  }
}

// One level: the prefixes of this length (rows [start, end), sorted, a prefix's rows adjacent)
// merged with the parents of the next level's strings (sorted too), without repeats.
function mergeLevel(keys: Float64Array, start: number, end: number, longer: Float64Array): Level {
  const values = new Float64Array(end - start + longer.length);
  const rows = new Int32Array(values.length);
  let count = 0;
  let row = start;
  let child = 0;
  while (row < end || child < longer.length) {
    const own = row < end ? (keys[row] ?? 0) : Number.POSITIVE_INFINITY;
    const parent = child < longer.length ? parentOf(longer[child] ?? 0) : Number.POSITIVE_INFINITY;
    const value = Math.min(own, parent);
    if (count === 0 || values[count - 1] !== value) {
      values[count] = value;
      rows[count] = NO_ROW;
      count += 1;
    }
    if (own === value) {
      if (rows[count - 1] === NO_ROW) rows[count - 1] = row;
      row += 1;
    } else {
      child += 1;
    }
  }
  return { values: values.slice(0, count), rows: rows.slice(0, count) };
}
