import { createHash } from 'node:crypto';
import { errorMessage } from '../shared/kernel';
import { EvidenceStoreError, EvidenceUnavailableError } from './errors';
import { type EvidenceCipher } from './evidence-cipher';
import { type EvidenceLocation } from './ports';

export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

// Where one sealed object went: the locations that took it and those that failed.
export interface PutResult {
  objectSha256: string;
  stored: string[];
  failed: { location: string; error: string }[];
}

export type CopyStatus = 'ok' | 'missing' | 'corrupt' | 'unreadable' | 'repaired';

export interface EvidenceCheck {
  key: string;
  // `was`: what a repaired copy was found to be (missing, corrupt, unreadable).
  copies: { location: string; status: CopyStatus; was?: CopyStatus; error?: string }[];
  // At least one intact copy was found (and every bad copy was rewritten from it).
  recoverable: boolean;
}

// Evidence kept encrypted in one copy per location. The sealed object is the same in every
// location, so its SHA-256 identifies a good copy without decrypting it; the plaintext SHA-256
// (in the warrant's hash chain) proves the content.
export class EvidenceVault {
  constructor(
    private readonly locations: EvidenceLocation[],
    private readonly cipher: EvidenceCipher,
  ) {
    if (locations.length === 0) throw new Error('evidence needs at least one location');
  }

  get copies(): number {
    return this.locations.length;
  }

  get currentKeyId(): string {
    return this.cipher.currentKeyId;
  }

  keyIdOf(sealed: Buffer): string | undefined {
    return this.cipher.keyIdOf(sealed);
  }

  open(sealed: Buffer, key: string): Buffer {
    return this.cipher.open(sealed, key);
  }

  // The first copy whose bytes hash to `objectSha256` (not decrypted).
  async readSealed(key: string, objectSha256: string): Promise<Buffer> {
    const problems: Record<string, string> = {};
    for (const location of this.locations) {
      try {
        const sealed = await location.get(key);
        if (sealed && sha256Hex(sealed) === objectSha256) return sealed;
        problems[location.name] = sealed ? 'corrupt' : 'missing';
      } catch (error) {
        problems[location.name] = errorMessage(error);
      }
    }
    throw new EvidenceUnavailableError(key, { problems });
  }

  // Seals once and puts the copy in every location that takes it. One location down does not stop
  // the others (the caller notes which copies are missing); when none takes it, it throws.
  async store(key: string, plain: Buffer): Promise<PutResult> {
    const result = await this.putEverywhere(key, plain);
    if (result.stored.length === 0) throw new EvidenceStoreError(key, result.failed);
    return result;
  }

  // Seals once and puts the object in every location that takes it; a failed location is reported,
  // not thrown, so one location down does not stop the others.
  async putEverywhere(key: string, plain: Buffer): Promise<PutResult> {
    const sealed = this.cipher.seal(plain, key);
    const results = await Promise.allSettled(this.locations.map((location) => location.put(key, sealed)));
    const stored: string[] = [];
    const failed: PutResult['failed'] = [];
    results.forEach((result, index) => {
      const name = this.locations[index]?.name ?? String(index);
      if (result.status === 'fulfilled') stored.push(name);
      else failed.push({ location: name, error: errorMessage(result.reason) });
    });
    return { objectSha256: sha256Hex(sealed), stored, failed };
  }

  // Every location's copy, opened (authenticated with the key ring); a copy that cannot be read or
  // opened is reported with its error.
  async readEach(key: string): Promise<{ location: string; plain?: Buffer; error?: string }[]> {
    return Promise.all(
      this.locations.map(async (location) => {
        try {
          const sealed = await location.get(key);
          return sealed ? { location: location.name, plain: this.cipher.open(sealed, key) } : { location: location.name, error: 'missing' };
        } catch (error) {
          return { location: location.name, error: errorMessage(error) };
        }
      }),
    );
  }

  // The first intact copy, decrypted and checked against the content hash.
  async read(key: string, objectSha256: string, contentSha256: string): Promise<Buffer> {
    const problems: Record<string, string> = {};
    for (const location of this.locations) {
      try {
        const sealed = await location.get(key);
        if (!sealed) {
          problems[location.name] = 'missing';
          continue;
        }
        if (sha256Hex(sealed) !== objectSha256) {
          problems[location.name] = 'corrupt';
          continue;
        }
        const plain = this.cipher.open(sealed, key);
        if (sha256Hex(plain) !== contentSha256) {
          problems[location.name] = 'content hash mismatch';
          continue;
        }
        return plain;
      } catch (error) {
        problems[location.name] = errorMessage(error);
      }
    }
    throw new EvidenceUnavailableError(key, { problems });
  }

  // Re-reads every copy; rewrites the missing or corrupt ones from an intact one.
  async verifyAndRepair(key: string, objectSha256: string, contentSha256: string): Promise<EvidenceCheck> {
    const copies: EvidenceCheck['copies'] = [];
    let good: Buffer | undefined;
    for (const location of this.locations) {
      try {
        const sealed = await location.get(key);
        if (!sealed) {
          copies.push({ location: location.name, status: 'missing' });
        } else if (sha256Hex(sealed) !== objectSha256) {
          copies.push({ location: location.name, status: 'corrupt' });
        } else if (!good) {
          // One decryption proves the sealed object; the others are byte-identical to it.
          if (sha256Hex(this.cipher.open(sealed, key)) !== contentSha256) {
            copies.push({ location: location.name, status: 'corrupt', error: 'content hash mismatch' });
          } else {
            good = sealed;
            copies.push({ location: location.name, status: 'ok' });
          }
        } else {
          copies.push({ location: location.name, status: 'ok' });
        }
      } catch (error) {
        copies.push({ location: location.name, status: 'unreadable', error: errorMessage(error) });
      }
    }
    if (good) {
      for (const [index, copy] of copies.entries()) {
        if (copy.status === 'ok') continue;
        const location = this.locations[index];
        if (!location) continue;
        try {
          await location.put(key, good);
          copies[index] = { ...copy, status: 'repaired', was: copy.status };
        } catch (error) {
          copies[index] = { ...copy, error: `repair failed: ${errorMessage(error)}` };
        }
      }
    }
    return { key, copies, recoverable: good !== undefined };
  }

  async remove(key: string): Promise<void> {
    await Promise.all(this.locations.map((location) => location.delete(key)));
  }
}
