import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../app/config';

const issuesOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return expect.fail('the config was taken');
};

describe("config: the workers' /metrics port", function () {
  it('given no WORKERS_METRICS_PORT, then it is the port after ADMIN_PORT (8081 by default)', function () {
    expect(loadConfig({}).workers.metricsPort).to.equal(8081);
    expect(loadConfig({ ADMIN_PORT: '18280' }).workers.metricsPort).to.equal(18281);
  });

  it('given WORKERS_METRICS_PORT, then it is taken as is, whatever ADMIN_PORT is', function () {
    expect(loadConfig({ ADMIN_PORT: '18280', WORKERS_METRICS_PORT: '9464' }).workers.metricsPort).to.equal(9464);
    expect(loadConfig({ ADMIN_PORT: '65535', WORKERS_METRICS_PORT: '9464' }).workers.metricsPort).to.equal(9464);
  });

  it('given a port that is not one, ADMIN_PORT itself, or ADMIN_PORT 65535 without it, then it is refused by name', function () {
    expect(issuesOf({ WORKERS_METRICS_PORT: 'ninety' }).join('\n')).to.match(/^WORKERS_METRICS_PORT:/m);
    expect(issuesOf({ WORKERS_METRICS_PORT: '70000' }).join('\n')).to.match(/^WORKERS_METRICS_PORT:/m);
    expect(issuesOf({ ADMIN_PORT: '18280', WORKERS_METRICS_PORT: '18280' })).to.deep.equal(['WORKERS_METRICS_PORT: must differ from ADMIN_PORT (both listen on ADMIN_HOST)']);
    expect(issuesOf({ ADMIN_PORT: '65535' })).to.deep.equal(['WORKERS_METRICS_PORT: must be set when ADMIN_PORT is 65535 (its default is ADMIN_PORT + 1)']);
  });
});
