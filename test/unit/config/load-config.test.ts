import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../app/config';

describe('config', function () {
  it('given no environment, then the local defaults apply and an admin token is generated', function () {
    const config = loadConfig({});
    expect(config.sip).to.include({ host: '127.0.0.1', port: 5060 });
    expect(config.admin).to.include({ host: '127.0.0.1', port: 8080, tokenGenerated: true });
    expect(config.admin.token).to.have.length.greaterThan(20);
    expect(config.calls.ringTimeoutSeconds).to.equal(30);
  });

  it('given production without ADMIN_TOKEN or with local-only secrets, then it refuses to start and lists every problem', function () {
    try {
      loadConfig({ NODE_ENV: 'production' });
      expect.fail('should refuse');
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      const issues = (error as ConfigError).issues.join('\n');
      expect(issues).to.include('ADMIN_TOKEN');
      expect(issues).to.include('ARI_PASSWORD');
      expect(issues).to.include('DATABASE_URL');
    }
  });

  it('given production with real secrets, then it starts with the given token', function () {
    const config = loadConfig({
      NODE_ENV: 'production',
      ADMIN_TOKEN: 'x'.repeat(40),
      ARI_PASSWORD: 'a-real-ari-secret',
      DATABASE_URL: 'postgresql://calling:s3cret@db:5432/calling',
    });
    expect(config.admin).to.include({ token: 'x'.repeat(40), tokenGenerated: false });
  });

  it('given malformed values, then each is reported by name', function () {
    expect(() => loadConfig({ ADMIN_PORT: 'eighty', REDIS_URL: 'http://x', RING_TIMEOUT_SECONDS: '-1' })).to.throw(ConfigError, /ADMIN_PORT[\s\S]*REDIS_URL|REDIS_URL[\s\S]*ADMIN_PORT/);
  });

  it('given an INSTANCE_ID that could not be part of a Redis key as the outboxes need (a colon, a space, a glob character), then it is refused by name; a plain one is taken', function () {
    for (const bad of ['controller:1', 'controller 1', 'controller*']) {
      expect(() => loadConfig({ INSTANCE_ID: bad }), bad).to.throw(ConfigError, /INSTANCE_ID/);
    }
    expect(loadConfig({ INSTANCE_ID: 'eu-west.controller_2' }).instanceId).to.equal('eu-west.controller_2');
  });

  it('given no retention of processed-event marks, then 35 days; given a retention that is not a whole number of days from 1, then it is refused by name', function () {
    expect(loadConfig({}).events.processedRetentionDays).to.equal(35);
    expect(loadConfig({ PROCESSED_EVENTS_RETENTION_DAYS: '60' }).events.processedRetentionDays).to.equal(60);
    for (const bad of ['0', '-3', '1.5', 'forever']) expect(() => loadConfig({ PROCESSED_EVENTS_RETENTION_DAYS: bad }), bad).to.throw(ConfigError, /PROCESSED_EVENTS_RETENTION_DAYS/);
  });

  it('given no warning tone setting, then 10 s before the cut-off; 0 turns it off; a negative, fractional or too long one is refused by name', function () {
    expect(loadConfig({}).billing.warningToneSeconds).to.equal(10);
    expect(loadConfig({ BILLING_WARNING_TONE_SECONDS: '0' }).billing.warningToneSeconds).to.equal(0);
    for (const bad of ['-1', '2.5', '601', 'soon']) expect(() => loadConfig({ BILLING_WARNING_TONE_SECONDS: bad }), bad).to.throw(ConfigError, /BILLING_WARNING_TONE_SECONDS/);
  });

  it('treats an empty variable as unset', function () {
    expect(loadConfig({ ADMIN_TOKEN: '' }).admin.tokenGenerated).to.equal(true);
  });

  it('given no fleet settings, then the node is the instance, streams have one copy and the switch is not behind an edge; given them, then they are taken', function () {
    expect(loadConfig({ INSTANCE_ID: 'controller-7' })).to.deep.include({ nodeName: 'controller-7' });
    expect(loadConfig({}).nats.streamReplicas).to.equal(1);
    expect(loadConfig({}).sip.behindEdge).to.equal(false);
    const fleet = loadConfig({ INSTANCE_ID: 'node-2', NODE_NAME: 'node-2', NATS_STREAM_REPLICAS: '3', SIP_BEHIND_EDGE: 'true' });
    expect([fleet.nodeName, fleet.nats.streamReplicas, fleet.sip.behindEdge]).to.deep.equal(['node-2', 3, true]);
    expect(() => loadConfig({ NATS_STREAM_REPLICAS: '6' })).to.throw(ConfigError, /NATS_STREAM_REPLICAS/);
    expect(() => loadConfig({ SIP_BEHIND_EDGE: 'yes' })).to.throw(ConfigError, /SIP_BEHIND_EDGE/);
    expect(() => loadConfig({ NODE_NAME: 'node 1' })).to.throw(ConfigError, /NODE_NAME/);
  });
});
