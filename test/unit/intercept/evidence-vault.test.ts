import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { EvidenceCipher } from '../../../app/intercept/evidence-cipher';
import { EvidenceKeyRing } from '../../../app/intercept/evidence-keys';
import { EvidenceStoreError, EvidenceUnavailableError } from '../../../app/intercept/errors';
import { EvidenceVault, sha256Hex } from '../../../app/intercept/evidence-vault';
import { InMemoryEvidenceLocation } from '../../support/fakes/in-memory-evidence-location';

describe('evidence vault', function () {
  const key = 'warrants/w/recordings/r.wav.enc';
  const plain = randomBytes(4096);
  let locations: InMemoryEvidenceLocation[];
  let vault: EvidenceVault;
  let stored: { objectSha256: string; stored: string[] };

  beforeEach(async function () {
    locations = ['a', 'b', 'c'].map((name) => new InMemoryEvidenceLocation(name));
    vault = new EvidenceVault(locations, new EvidenceCipher(new EvidenceKeyRing(randomBytes(32))));
    stored = await vault.store(key, plain);
  });

  it('given a recording stored, then every location holds the same encrypted copy', function () {
    expect(stored.stored).to.deep.equal(['a', 'b', 'c']);
    const copies = locations.map((l) => l.objects.get(key));
    for (const copy of copies) expect(copy && sha256Hex(copy)).to.equal(stored.objectSha256);
    expect(copies[0]?.includes(plain.subarray(0, 64))).to.equal(false);
  });

  it('given the first copy corrupt and the second lost, then reading falls back to the third', async function () {
    locations[0]?.objects.get(key)?.fill(0, 100, 120);
    locations[1]?.objects.delete(key);
    expect((await vault.read(key, stored.objectSha256, sha256Hex(plain))).equals(plain)).to.equal(true);
  });

  it('given one copy lost and one corrupt, when verified, then both are rewritten from the intact one', async function () {
    locations[0]?.objects.delete(key);
    locations[2]?.objects.get(key)?.fill(7, 50, 51);
    const check = await vault.verifyAndRepair(key, stored.objectSha256, sha256Hex(plain));
    expect(check.recoverable).to.equal(true);
    expect(check.copies.map((c) => c.status)).to.deep.equal(['repaired', 'ok', 'repaired']);
    for (const location of locations) expect(sha256Hex(location.objects.get(key) ?? Buffer.alloc(0))).to.equal(stored.objectSha256);
    expect((await vault.verifyAndRepair(key, stored.objectSha256, sha256Hex(plain))).copies.map((c) => c.status)).to.deep.equal(['ok', 'ok', 'ok']);
  });

  it('given a location down, then verification reports it and still repairs the others', async function () {
    locations[1]?.objects.delete(key);
    (locations[2] as InMemoryEvidenceLocation).down = true;
    const check = await vault.verifyAndRepair(key, stored.objectSha256, sha256Hex(plain));
    expect(check.copies.map((c) => c.status)).to.deep.equal(['ok', 'repaired', 'unreadable']);
  });

  it('given every copy bad, then it is unrecoverable and reading fails with EVIDENCE.UNAVAILABLE', async function () {
    for (const location of locations) location.objects.delete(key);
    expect((await vault.verifyAndRepair(key, stored.objectSha256, sha256Hex(plain))).recoverable).to.equal(false);
    try {
      await vault.read(key, stored.objectSha256, sha256Hex(plain));
      expect.fail('should not read');
    } catch (error) {
      expect(error).to.be.instanceOf(EvidenceUnavailableError);
    }
  });

  it('given a location that refuses the write, then the others take their copy and the failed one is named', async function () {
    (locations[1] as InMemoryEvidenceLocation).down = true;
    const result = await vault.store('other', plain);
    expect(result.stored).to.deep.equal(['a', 'c']);
    expect(result.failed).to.deep.equal([{ location: 'b', error: 'b is down' }]);
    expect(locations[0]?.objects.has('other')).to.equal(true);
  });

  it('given every location refusing the write, then storing fails with EVIDENCE.NOT_STORED naming each', async function () {
    for (const location of locations) location.down = true;
    try {
      await vault.store('other', plain);
      expect.fail('should fail');
    } catch (error) {
      expect(error).to.be.instanceOf(EvidenceStoreError);
      expect((error as EvidenceStoreError).details.failed).to.have.length(3);
    }
  });
});
