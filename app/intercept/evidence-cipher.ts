import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EvidenceDecryptionError } from './errors';
import { type EvidenceKeyRing } from './evidence-keys';

// AES-256-GCM for evidence at rest. Object layout:
//   "LIE1" | key id (8 bytes: first bytes of SHA-256 of the key) | IV (12) | ciphertext | tag (16)
// The object key is authenticated data: a copy moved under another name fails to open. New objects
// are sealed with the ring's current key; an object is opened with the key its header names.
const MAGIC = Buffer.from('LIE1');
const KEY_ID_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + KEY_ID_BYTES + IV_BYTES;

export class EvidenceCipher {
  constructor(private readonly ring: EvidenceKeyRing) {}

  get currentKeyId(): string {
    return this.ring.current.id;
  }

  seal(plain: Buffer, objectKey: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.ring.current.key, iv);
    cipher.setAAD(Buffer.from(objectKey, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([MAGIC, Buffer.from(this.ring.current.id, 'hex'), iv, body, cipher.getAuthTag()]);
  }

  // The id of the key a sealed object names (undefined: not an evidence object).
  keyIdOf(sealed: Buffer): string | undefined {
    if (sealed.length < HEADER_BYTES + TAG_BYTES || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    return sealed.subarray(MAGIC.length, MAGIC.length + KEY_ID_BYTES).toString('hex');
  }

  open(sealed: Buffer, objectKey: string): Buffer {
    const keyId = this.keyIdOf(sealed);
    if (keyId === undefined) throw new EvidenceDecryptionError(objectKey, new Error('not an evidence object'));
    const key = this.ring.get(keyId);
    if (!key) throw new EvidenceDecryptionError(objectKey, new Error(`sealed with key ${keyId}, which is not in the key ring`));
    const iv = sealed.subarray(MAGIC.length + KEY_ID_BYTES, HEADER_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(objectKey, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch (error) {
      throw new EvidenceDecryptionError(objectKey, error);
    }
  }
}
