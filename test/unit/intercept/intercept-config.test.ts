import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../app/config';

const production = { NODE_ENV: 'production', ADMIN_TOKEN: 'x'.repeat(40), ARI_PASSWORD: 'a-real-ari-secret', DATABASE_URL: 'postgresql://calling:s3cret@db:5432/calling' };
const key = Buffer.alloc(32, 7).toString('base64');

describe('intercept configuration', function () {
  it('given nothing set locally, then interception is on with three local directories and the local-only key', function () {
    const config = loadConfig({});
    expect(config.intercept.enabled).to.equal(true);
    expect(config.intercept.storage).to.deep.equal({ kind: 'local', directories: ['.local/local/evidence/1', '.local/local/evidence/2', '.local/local/evidence/3'] });
    expect(config.intercept.encryptionKey).to.have.length(32);
    expect(config.intercept.retentionDays).to.equal(3650);
  });

  it('given production, then interception is off unless enabled, and enabling it needs a key of its own', function () {
    expect(loadConfig(production).intercept.enabled).to.equal(false);
    expect(() => loadConfig({ ...production, INTERCEPT_ENABLED: 'true' })).to.throw(ConfigError, /INTERCEPT_ENCRYPTION_KEY/);
    const localKey = loadConfig({}).intercept.encryptionKey.toString('base64');
    expect(() => loadConfig({ ...production, INTERCEPT_ENABLED: 'true', INTERCEPT_ENCRYPTION_KEY: localKey })).to.throw(ConfigError, /INTERCEPT_ENCRYPTION_KEY/);
    const config = loadConfig({ ...production, INTERCEPT_ENABLED: 'true', INTERCEPT_ENCRYPTION_KEY: key, INTERCEPT_STORAGE: 's3', INTERCEPT_S3_BUCKETS: 'a,b,c' });
    expect(config.intercept.encryptionKey.equals(Buffer.alloc(32, 7))).to.equal(true);
    expect(config.intercept.storage).to.deep.include({ kind: 's3', buckets: ['a', 'b', 'c'], prefix: 'evidence/' });
  });

  it('given a number of locations other than the number of copies, or a short key, then each is refused by name', function () {
    expect(() => loadConfig({ INTERCEPT_STORAGE: 's3', INTERCEPT_S3_BUCKETS: 'a,b' })).to.throw(ConfigError, /INTERCEPT_S3_BUCKETS/);
    expect(() => loadConfig({ INTERCEPT_EVIDENCE_DIRS: '/a,/b', INTERCEPT_COPIES: '3' })).to.throw(ConfigError, /INTERCEPT_EVIDENCE_DIRS/);
    expect(() => loadConfig({ INTERCEPT_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })).to.throw(ConfigError, /INTERCEPT_ENCRYPTION_KEY/);
  });
});
