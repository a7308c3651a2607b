import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { EvidenceCipher } from '../../../app/intercept/evidence-cipher';
import { EvidenceKeyRing, keyIdOf } from '../../../app/intercept/evidence-keys';
import { EvidenceDecryptionError } from '../../../app/intercept/errors';

describe('evidence cipher (AES-256-GCM) and its key ring', function () {
  const oldKey = randomBytes(32);
  const cipher = new EvidenceCipher(new EvidenceKeyRing(oldKey));
  const plain = Buffer.from('RIFF....WAVEfmt a recording');

  it('given sealed evidence, then it opens to the same bytes and does not contain them', function () {
    const sealed = cipher.seal(plain, 'warrants/w/recordings/r.wav.enc');
    expect(sealed.includes(plain)).to.equal(false);
    expect(cipher.open(sealed, 'warrants/w/recordings/r.wav.enc').equals(plain)).to.equal(true);
  });

  it('given one bit flipped, then opening fails', function () {
    const sealed = cipher.seal(plain, 'k');
    sealed[sealed.length - 20] = (sealed[sealed.length - 20] ?? 0) ^ 1;
    expect(() => cipher.open(sealed, 'k')).to.throw(EvidenceDecryptionError);
  });

  it('given a copy moved under another object key, then opening fails', function () {
    expect(() => cipher.open(cipher.seal(plain, 'a'), 'b')).to.throw(EvidenceDecryptionError);
  });

  it('given a key that is not in the ring, then it is refused, naming the key the object was sealed with', function () {
    const sealed = cipher.seal(plain, 'k');
    expect(() => new EvidenceCipher(new EvidenceKeyRing(randomBytes(32))).open(sealed, 'k')).to.throw(EvidenceDecryptionError).with.property('cause').that.has.property('message').that.includes(keyIdOf(oldKey));
  });

  it('given a rotation (new current key, the old one kept), then old evidence still opens, new evidence is sealed with the new key', function () {
    const sealedBefore = cipher.seal(plain, 'k');
    const newKey = randomBytes(32);
    const rotated = new EvidenceCipher(new EvidenceKeyRing(newKey, [oldKey]));
    expect(rotated.open(sealedBefore, 'k').equals(plain)).to.equal(true);
    const sealedAfter = rotated.seal(plain, 'k');
    expect([rotated.keyIdOf(sealedBefore), rotated.keyIdOf(sealedAfter)]).to.deep.equal([keyIdOf(oldKey), keyIdOf(newKey)]);
    expect(() => cipher.open(sealedAfter, 'k'), 'the old ring does not know the new key').to.throw(EvidenceDecryptionError);
  });

  it('then each key has its own chain key, derived (not the key itself) and stable', function () {
    const ring = new EvidenceKeyRing(randomBytes(32), [oldKey]);
    const [current, previous] = ring.ids;
    expect(ring.chainKey(current ?? '')).to.have.length(32);
    expect(ring.chainKey(current ?? '')?.equals(ring.get(current ?? '') ?? Buffer.alloc(0))).to.equal(false);
    expect(ring.chainKey(previous ?? '')?.equals(new EvidenceKeyRing(oldKey).chainKey(previous ?? '') ?? Buffer.alloc(0))).to.equal(true);
    expect(ring.chainKey('0000000000000000')).to.equal(undefined);
  });

  it('refuses a key that is not 32 bytes, current or previous', function () {
    expect(() => new EvidenceKeyRing(randomBytes(16))).to.throw(/32 bytes/);
    expect(() => new EvidenceKeyRing(randomBytes(32), [randomBytes(31)])).to.throw(/32 bytes/);
  });
});
