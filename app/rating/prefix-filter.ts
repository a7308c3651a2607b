// A blocked Bloom filter of the (length, digits) prefixes of a rate table: a lookup skips a prefix
// length whose two bits (in one 32-bit word: one memory access) are not both set, instead of a
// binary search of ~20 cache misses in that length's keys. 16 bits a prefix: ~2% false positives.

const FNV_OFFSET = 0x811c9dc5 | 0;

export const PREFIX_HASH_START = FNV_OFFSET;

// The hash of a prefix one digit longer: the same whether built from a deck's prefix or from the
// leading digits of a dialled number.
export function hashDigit(hash: number, digit: number): number {
  return Math.imul(hash ^ (digit + 1), 0x01000193);
}

export function hashPrefix(prefix: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < prefix.length; i += 1) hash = hashDigit(hash, prefix.charCodeAt(i) - 48);
  return hash;
}

function mix(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class PrefixFilter {
  private readonly words: Uint32Array;
  private readonly mask: number;

  constructor(prefixes: number) {
    let size = 32;
    while (size * 2 < prefixes) size *= 2;
    this.words = new Uint32Array(size);
    this.mask = size - 1;
  }

  get byteLength(): number {
    return this.words.byteLength;
  }

  add(hash: number): void {
    const h = mix(hash);
    const bits = Math.imul(h, 0x9e3779b1) >>> 0;
    const word = h & this.mask;
    this.words[word] = (this.words[word] ?? 0) | (1 << (bits & 31)) | (1 << ((bits >>> 5) & 31));
  }

  mayContain(hash: number): boolean {
    const h = mix(hash);
    const bits = Math.imul(h, 0x9e3779b1) >>> 0;
    const pattern = (1 << (bits & 31)) | (1 << ((bits >>> 5) & 31));
    return ((this.words[h & this.mask] ?? 0) & pattern) === pattern;
  }
}
