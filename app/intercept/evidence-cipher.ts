import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { EvidenceDecryptionError } from './errors';

// AES-256-GCM for evidence at rest. Object layout:
//   "LIE1" | key id (8 bytes: first bytes of SHA-256 of the key) | IV (12) | ciphertext | tag (16)
// The object key is authenticated data: a copy moved under another name fails to open.
const MAGIC = Buffer.from('LIE1');
const KEY_ID_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + KEY_ID_BYTES + IV_BYTES;

export class EvidenceCipher {
  private readonly keyId: Buffer;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the evidence key must be 32 bytes (AES-256)');
    this.keyId = createHash('sha256').update(key).digest().subarray(0, KEY_ID_BYTES);
  }

  seal(plain: Buffer, objectKey: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(objectKey, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([MAGIC, this.keyId, iv, body, cipher.getAuthTag()]);
  }

  open(sealed: Buffer, objectKey: string): Buffer {
    if (sealed.length < HEADER_BYTES + TAG_BYTES || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new EvidenceDecryptionError(objectKey, new Error('not an evidence object'));
    }
    if (!sealed.subarray(MAGIC.length, MAGIC.length + KEY_ID_BYTES).equals(this.keyId)) {
      throw new EvidenceDecryptionError(objectKey, new Error('sealed with another key'));
    }
    const iv = sealed.subarray(MAGIC.length + KEY_ID_BYTES, HEADER_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(objectKey, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch (error) {
      throw new EvidenceDecryptionError(objectKey, error);
    }
  }
}
