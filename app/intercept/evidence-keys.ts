import { createHash, hkdfSync } from 'node:crypto';

export interface EvidenceKey {
  // Hex of the first 8 bytes of the key's SHA-256: names the key in sealed objects and chain records.
  id: string;
  key: Buffer;
}

export const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest().subarray(0, 8).toString('hex');

// The chain's MAC key is derived from an evidence key (HKDF-SHA-256, its own label), so the same
// secret never serves two purposes and no key of the chain lives in the database.
const CHAIN_KEY_INFO = 'calling-platform/lawful-intercept/hash-chain/v2';

// The evidence keys by id. The current key seals new evidence and signs new chain records; older
// keys (kept after a rotation) still open old evidence and verify old records until a re-wrap
// (EvidenceRewrap) has moved every recording to the current one.
export class EvidenceKeyRing {
  readonly current: EvidenceKey;
  private readonly keys = new Map<string, Buffer>();
  private readonly chainKeys = new Map<string, Buffer>();

  constructor(current: Buffer, previous: Buffer[] = []) {
    for (const key of [current, ...previous]) {
      if (key.length !== 32) throw new Error('an evidence key must be 32 bytes (AES-256)');
      this.keys.set(keyIdOf(key), key);
    }
    this.current = { id: keyIdOf(current), key: current };
  }

  get ids(): string[] {
    return [...this.keys.keys()];
  }

  get(id: string): Buffer | undefined {
    return this.keys.get(id);
  }

  chainKey(id: string): Buffer | undefined {
    const cached = this.chainKeys.get(id);
    if (cached) return cached;
    const key = this.keys.get(id);
    if (!key) return undefined;
    const derived = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), CHAIN_KEY_INFO, 32));
    this.chainKeys.set(id, derived);
    return derived;
  }
}
