import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../app/config';

const production = { NODE_ENV: 'production', ADMIN_TOKEN: 'x'.repeat(40), ARI_PASSWORD: 'a-real-ari-secret', DATABASE_URL: 'postgresql://calling:s3cret@db:5432/calling' };
// What production needs besides the key once interception is enabled.
const interceptSecrets = { INTERCEPT_ADMIN_TOKEN: 'i'.repeat(40), INTERCEPT_LOG_FILE: '/var/log/calling/intercept.log', INTERCEPT_EVIDENCE_LOCATIONS: 's3://a,s3://b,s3://c' };
const key = Buffer.alloc(32, 7).toString('base64');

describe('intercept configuration', function () {
  it('given nothing set locally, then interception is on with three local directories and the local-only key', function () {
    const config = loadConfig({});
    expect(config.intercept.enabled).to.equal(true);
    expect(config.intercept.storage).to.deep.equal([1, 2, 3].map((n) => ({ kind: 'dir', path: `.local/local/evidence/${n}` })));
    expect(config.intercept.encryptionKey).to.have.length(32);
    expect(config.intercept.retentionDays).to.equal(3650);
  });

  it('given production, then interception is off unless enabled, and enabling it needs a key of its own', function () {
    expect(loadConfig(production).intercept.enabled).to.equal(false);
    expect(() => loadConfig({ ...production, INTERCEPT_ENABLED: 'true' })).to.throw(ConfigError, /INTERCEPT_ENCRYPTION_KEY/);
    const localKey = loadConfig({}).intercept.encryptionKey.toString('base64');
    expect(() => loadConfig({ ...production, INTERCEPT_ENABLED: 'true', INTERCEPT_ENCRYPTION_KEY: localKey })).to.throw(ConfigError, /INTERCEPT_ENCRYPTION_KEY/);
    const config = loadConfig({ ...production, ...interceptSecrets, INTERCEPT_ENABLED: 'true', INTERCEPT_ENCRYPTION_KEY: key });
    expect(config.intercept.encryptionKey.equals(Buffer.alloc(32, 7))).to.equal(true);
    expect(config.intercept.storage.map((l) => l.kind === 's3' && l.bucket)).to.deep.equal(['a', 'b', 'c']);
  });

  it('given nothing set locally, then an intercept administrator token of its own is generated', function () {
    const config = loadConfig({});
    expect(config.intercept).to.include({ adminTokenGenerated: true, logFile: '.local/local/intercept.log' });
    expect(config.intercept.adminToken).to.have.length.greaterThan(20).and.not.equal(config.admin.token);
    expect(loadConfig({ INTERCEPT_ADMIN_TOKEN: 'i'.repeat(20) }).intercept).to.include({ adminToken: 'i'.repeat(20), adminTokenGenerated: false });
  });

  it('given production with interception enabled, then the intercept administrator token and log file are required, and the token may not be the admin token', function () {
    const enabled = { ...production, INTERCEPT_ENABLED: 'true', INTERCEPT_ENCRYPTION_KEY: key, INTERCEPT_EVIDENCE_LOCATIONS: interceptSecrets.INTERCEPT_EVIDENCE_LOCATIONS };
    expect(() => loadConfig(enabled)).to.throw(ConfigError, /INTERCEPT_ADMIN_TOKEN[\s\S]*INTERCEPT_LOG_FILE/);
    expect(() => loadConfig({ ...enabled, INTERCEPT_ADMIN_TOKEN: production.ADMIN_TOKEN, INTERCEPT_LOG_FILE: '/var/log/li.log' })).to.throw(ConfigError, /INTERCEPT_ADMIN_TOKEN: must differ from ADMIN_TOKEN/);
    expect(() => loadConfig({ ...enabled, INTERCEPT_ADMIN_TOKEN: 'short-but-16-chars', INTERCEPT_LOG_FILE: '/var/log/li.log' })).to.throw(ConfigError, /INTERCEPT_ADMIN_TOKEN: must be at least 32/);
    const config = loadConfig({ ...enabled, INTERCEPT_ADMIN_TOKEN: 'i'.repeat(40), INTERCEPT_LOG_FILE: '/var/log/li.log' });
    expect(config.intercept).to.include({ adminToken: 'i'.repeat(40), adminTokenGenerated: false, logFile: '/var/log/li.log' });
    expect(() => loadConfig({ ADMIN_TOKEN: 'same-token-0123456789', INTERCEPT_ADMIN_TOKEN: 'same-token-0123456789' })).to.throw(ConfigError, /must differ from ADMIN_TOKEN/);
  });

  it('given previous keys after a rotation, then each is read as a key, and one that is short or is the current key is refused', function () {
    const old = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)].map((k) => k.toString('base64'));
    const config = loadConfig({ INTERCEPT_ENCRYPTION_KEY: key, INTERCEPT_PREVIOUS_ENCRYPTION_KEYS: old.join(', ') });
    expect(config.intercept.previousEncryptionKeys.map((k) => k.toString('base64'))).to.deep.equal(old);
    expect(loadConfig({}).intercept.previousEncryptionKeys).to.deep.equal([]);
    expect(() => loadConfig({ INTERCEPT_PREVIOUS_ENCRYPTION_KEYS: `${old[0]},${Buffer.alloc(8).toString('base64')}` })).to.throw(ConfigError, /INTERCEPT_PREVIOUS_ENCRYPTION_KEYS: each must be 32 bytes/);
    expect(() => loadConfig({ INTERCEPT_ENCRYPTION_KEY: key, INTERCEPT_PREVIOUS_ENCRYPTION_KEYS: key })).to.throw(ConfigError, /must not hold the current/);
  });

  it('given evidence locations, then each S3 bucket has its own endpoint, region, path style and credentials profile', function () {
    const locations = [
      'file:///srv/evidence-a',
      's3://evidence-b/li?region=eu-west-1&profile=evidence-b',
      's3://evidence-c/li/?region=eu-central-1&endpoint=https://objects.other.example:9000&path_style=true&profile=evidence-c',
    ];
    expect(loadConfig({ INTERCEPT_EVIDENCE_LOCATIONS: locations.join(',') }).intercept.storage).to.deep.equal([
      { kind: 'dir', path: '/srv/evidence-a' },
      { kind: 's3', bucket: 'evidence-b', prefix: 'li/', region: 'eu-west-1', forcePathStyle: false, profile: 'evidence-b' },
      { kind: 's3', bucket: 'evidence-c', prefix: 'li/', region: 'eu-central-1', endpoint: 'https://objects.other.example:9000', forcePathStyle: true, profile: 'evidence-c' },
    ]);
  });

  it('given locations that are not independent or not valid, then each is refused by name', function () {
    const refused = (env: Record<string, string>, pattern: RegExp) => expect(() => loadConfig(env), JSON.stringify(env)).to.throw(ConfigError, pattern);
    refused({ INTERCEPT_EVIDENCE_LOCATIONS: 's3://same/a,s3://same/b,file:///x' }, /INTERCEPT_EVIDENCE_LOCATIONS: s3:\/\/same is named twice/);
    refused({ INTERCEPT_EVIDENCE_DIRS: '/srv/evidence,/srv/evidence/2,/srv/other' }, /INTERCEPT_EVIDENCE_DIRS: \/srv\/evidence and \/srv\/evidence\/2 are one directory tree/);
    refused({ INTERCEPT_EVIDENCE_LOCATIONS: 'ftp://x,s3://b,s3://c' }, /unknown scheme ftp:/);
    refused({ INTERCEPT_EVIDENCE_LOCATIONS: 's3://a?bucket=x,s3://b,s3://c' }, /unknown parameter bucket/);
    refused({ INTERCEPT_EVIDENCE_LOCATIONS: 's3://a?endpoint=minio:9000,s3://b,s3://c' }, /endpoint must be an http\(s\) URL/);
    refused({ INTERCEPT_EVIDENCE_LOCATIONS: 's3://a,s3://b' }, /must list INTERCEPT_COPIES \(3\) locations/);
    refused({ INTERCEPT_EVIDENCE_LOCATIONS: 's3://a,s3://b,s3://c', INTERCEPT_EVIDENCE_DIRS: '/a,/b,/c' }, /not both/);
    refused({ INTERCEPT_S3_BUCKETS: 'a,b,c' }, /INTERCEPT_S3_BUCKETS: is no longer read/);
    const enabled = { ...production, ...interceptSecrets, INTERCEPT_ENABLED: 'true', INTERCEPT_ENCRYPTION_KEY: key };
    const { INTERCEPT_EVIDENCE_LOCATIONS: _none, ...withoutLocations } = enabled;
    refused(withoutLocations, /INTERCEPT_EVIDENCE_LOCATIONS: must name each evidence location/);
  });

  it('given a number of directories other than the number of copies, or a short key, then each is refused by name', function () {
    expect(() => loadConfig({ INTERCEPT_EVIDENCE_DIRS: '/a,/b', INTERCEPT_COPIES: '3' })).to.throw(ConfigError, /INTERCEPT_EVIDENCE_DIRS/);
    expect(() => loadConfig({ INTERCEPT_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })).to.throw(ConfigError, /INTERCEPT_ENCRYPTION_KEY/);
  });
});
