import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { EvidenceCipher } from '../../../app/intercept/evidence-cipher';
import { EvidenceDecryptionError } from '../../../app/intercept/errors';

describe('evidence cipher (AES-256-GCM)', function () {
  const cipher = new EvidenceCipher(randomBytes(32));
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

  it('given another key, then it is refused as sealed with another key', function () {
    expect(() => new EvidenceCipher(randomBytes(32)).open(cipher.seal(plain, 'k'), 'k')).to.throw(EvidenceDecryptionError);
  });

  it('refuses a key that is not 32 bytes', function () {
    expect(() => new EvidenceCipher(randomBytes(16))).to.throw(/32 bytes/);
  });
});
