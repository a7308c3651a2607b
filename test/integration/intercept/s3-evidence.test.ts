import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import S3rver from 's3rver';
import { loadConfig } from '../../../app/config';
import { EvidenceCipher } from '../../../app/intercept/evidence-cipher';
import { EvidenceKeyRing } from '../../../app/intercept/evidence-keys';
import { createEvidenceLocations } from '../../../app/intercept/evidence-locations';
import { EvidenceVault, sha256Hex } from '../../../app/intercept/evidence-vault';

// Evidence in two S3-compatible stores (s3rver: a real HTTP S3 server, path-style, checking
// signatures) and a directory, configured as an operator would: INTERCEPT_EVIDENCE_LOCATIONS, each
// bucket with its own endpoint, region and credentials profile.
describe('integration: evidence in independent S3-compatible stores', function () {
  this.timeout(60_000);
  const root = mkdtempSync(join(tmpdir(), 's3-evidence-'));
  const servers: { server: S3rver; port: number; directory: string }[] = [];
  const saved = { credentials: process.env.AWS_SHARED_CREDENTIALS_FILE, config: process.env.AWS_CONFIG_FILE };

  const startStore = async (name: string, port = 0): Promise<{ server: S3rver; port: number; directory: string }> => {
    const directory = join(root, name);
    const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, configureBuckets: [{ name: `evidence-${name}`, configs: [] }] });
    const address = await server.run();
    return { server, port: address.port, directory };
  };

  before(async function () {
    servers.push(await startStore('a'), await startStore('b'));
    // Each location's own credentials, as a mounted shared-credentials file would hold them
    // (s3rver's account is S3RVER; it checks the access key id, not SigV4 signatures: "stale" is a
    // profile of a key it does not know).
    writeFileSync(join(root, 'credentials'), '[store-a]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n[store-b]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n[stale]\naws_access_key_id = REVOKED-KEY\naws_secret_access_key = S3RVER\n');
    writeFileSync(join(root, 'config'), '');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(root, 'credentials');
    process.env.AWS_CONFIG_FILE = join(root, 'config');
  });

  after(async function () {
    await Promise.all(servers.map(({ server }) => server.close().catch(() => undefined)));
    for (const [name, value] of [['AWS_SHARED_CREDENTIALS_FILE', saved.credentials], ['AWS_CONFIG_FILE', saved.config]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(root, { recursive: true, force: true });
  });

  const locationsUrl = (profileB = 'store-b'): string =>
    [
      `s3://evidence-a/li/?region=eu-west-1&endpoint=http://127.0.0.1:${servers[0]?.port}&path_style=true&profile=store-a`,
      `s3://evidence-b/li/?region=eu-central-1&endpoint=http://127.0.0.1:${servers[1]?.port}&path_style=true&profile=${profileB}`,
      `file://${join(root, 'dir')}`,
    ].join(',');
  const vaultOf = (url: string): EvidenceVault => new EvidenceVault(createEvidenceLocations(loadConfig({ INTERCEPT_EVIDENCE_LOCATIONS: url }).intercept.storage), new EvidenceCipher(new EvidenceKeyRing(randomBytes(32))));

  it('given three configured locations, then a recording is stored in each store, read back, and a copy lost in one store is repaired from another', async function () {
    const vault = vaultOf(locationsUrl());
    const plain = randomBytes(64 * 1024);
    const key = 'warrants/w/recordings/r1.wav.enc';
    const stored = await vault.store(key, plain);
    expect(stored.failed).to.deep.equal([]);
    expect(stored.stored).to.deep.equal([`s3:127.0.0.1:${servers[0]?.port}/evidence-a/li/`, `s3:127.0.0.1:${servers[1]?.port}/evidence-b/li/`, `dir:${join(root, 'dir')}`]);
    expect((await vault.read(key, stored.objectSha256, sha256Hex(plain))).equals(plain)).to.equal(true);
    const [storeA] = createEvidenceLocations(loadConfig({ INTERCEPT_EVIDENCE_LOCATIONS: locationsUrl() }).intercept.storage);
    await storeA?.delete(key);
    expect(await storeA?.get(key)).to.equal(undefined);
    const check = await vault.verifyAndRepair(key, stored.objectSha256, sha256Hex(plain));
    expect(check.copies.map((copy) => [copy.status, copy.was])).to.deep.equal([['repaired', 'missing'], ['ok', undefined], ['ok', undefined]]);
    expect(sha256Hex((await storeA?.get(key)) ?? Buffer.alloc(0))).to.equal(stored.objectSha256);
  });

  it('given one store down, then the others take their copy and it is named; once it is back, its copy is written', async function () {
    const vault = vaultOf(locationsUrl());
    const plain = randomBytes(4096);
    const key = 'warrants/w/recordings/r2.wav.enc';
    const b = servers[1] as { server: S3rver; port: number };
    await b.server.close();
    const stored = await vault.store(key, plain);
    expect(stored.stored).to.have.length(2);
    expect(stored.failed.map((f) => f.location)).to.deep.equal([`s3:127.0.0.1:${b.port}/evidence-b/li/`]);
    servers[1] = await startStore('b', b.port);
    const check = await vault.verifyAndRepair(key, stored.objectSha256, sha256Hex(plain));
    expect(check.copies.map((copy) => copy.status)).to.deep.equal(['ok', 'repaired', 'ok']);
  });

  it("given one location's credentials wrong, then only that location fails, and the store names it", async function () {
    const vault = vaultOf(locationsUrl('stale'));
    const stored = await vault.store('warrants/w/recordings/r3.wav.enc', randomBytes(1024));
    expect(stored.stored).to.have.length(2);
    expect(stored.failed.map((f) => f.location)).to.deep.equal([`s3:127.0.0.1:${servers[1]?.port}/evidence-b/li/`]);
    expect(stored.failed[0]?.error).to.match(/access key/i);
  });
});
