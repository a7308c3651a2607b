// The fleet compose file (docker-compose.fleet.yml) carries the least-privileged credentials of the
// single-box one: each process logs in with a role of its own, Redis and NATS with their user, and
// the edge publishes the browsers' wss port. Parsed, not run (no Docker engine in unit tests).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
type Service = { command?: unknown; environment?: Record<string, unknown>; ports?: unknown[]; depends_on?: Record<string, { condition?: string }> };
const services = (parse(readFileSync(path.join(ROOT, 'docker-compose.fleet.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> }).services;
const env = (name: string, key: string): string => {
  const value = services[name]?.environment?.[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
};
const command = (name: string): string => {
  const value = services[name]?.command;
  if (Array.isArray(value)) return value.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
  return typeof value === 'string' ? value : '';
};
// "postgresql://user:${VAR:?...}@host:port/db" -> user and the variable its password comes from.
function credentials(url: string): { user: string; passwordVar: string } {
  const match = /^[a-z]+:\/\/([^:@/]+):\$\{(\w+)[:?}]/.exec(url);
  return { user: match?.[1] ?? '', passwordVar: match?.[2] ?? '' };
}
const apps = Object.keys(services).filter((name) => /^node-\d+-app$/.test(name));
const switches = Object.keys(services).filter((name) => /^node-\d+-asterisk$/.test(name));
const natsServers = Object.keys(services).filter((name) => /^nats-\d+$/.test(name));

describe('docker-compose.fleet.yml: least privilege', function () {
  it('runs two switch nodes with a controller each and 3 NATS servers', function () {
    expect([apps.length, switches.length, natsServers.length]).to.deep.equal([2, 2, 3]);
  });

  it('gives each controller the calling_app role, Asterisk calling_asterisk, the edge calling_edge; only migrations use the owner and only db-roles the superuser', function () {
    for (const app of apps) expect(credentials(env(app, 'DATABASE_URL')), app).to.deep.equal({ user: 'calling_app', passwordVar: 'PG_APP_PASSWORD' });
    for (const node of switches) expect([env(node, 'PG_USER'), env(node, 'PG_PASSWORD')], node).to.deep.equal(['calling_asterisk', '${PG_ASTERISK_PASSWORD:?set PG_ASTERISK_PASSWORD}']);
    expect(credentials(env('edge', 'EDGE_DB_URL'))).to.deep.equal({ user: 'calling_edge', passwordVar: 'PG_EDGE_PASSWORD' });
    expect(env('migrate', 'DATABASE_URL')).to.match(/^postgresql:\/\/\$\{POSTGRES_USER:-calling\}:\$\{POSTGRES_PASSWORD:\?/);
    expect(env('postgres', 'POSTGRES_USER')).to.equal('postgres');
    expect(env('postgres', 'POSTGRES_PASSWORD')).to.match(/^\$\{PG_SUPERUSER_PASSWORD:\?/);
    // The roles exist (with these passwords) before the migrations grant them their tables.
    expect(command('db-roles')).to.include('/calling/roles.sql').and.to.include('edge_pass=');
    for (const key of ['CALLING_APP_PASSWORD', 'CALLING_ASTERISK_PASSWORD', 'CALLING_EDGE_PASSWORD']) expect(env('db-roles', key), key).to.match(/^\$\{PG_\w+_PASSWORD:\?/);
    expect(services.migrate?.depends_on?.['db-roles']?.condition).to.equal('service_completed_successfully');
  });

  it('runs Redis with one ACL user and the default user off, and every controller logs in as that user', function () {
    expect(command('redis')).to.include('--user default off').and.to.include('--user calling on ">$$REDIS_PASSWORD"').and.to.include('-@admin');
    for (const app of apps) expect(credentials(env(app, 'REDIS_URL')), app).to.deep.equal({ user: 'calling', passwordVar: 'REDIS_PASSWORD' });
  });

  it('makes every NATS server require the user calling, and every controller log in to each server as it', function () {
    for (const server of natsServers) {
      expect(command(server), server).to.include('--user calling --pass "$$NATS_PASSWORD"');
      expect(env(server, 'NATS_PASSWORD'), server).to.match(/^\$\{NATS_PASSWORD:\?/);
    }
    for (const app of apps) {
      const urls = env(app, 'NATS_URL').split(',');
      expect(urls, app).to.have.length(natsServers.length);
      for (const url of urls) expect(credentials(url), `${app}: ${url}`).to.deep.equal({ user: 'calling', passwordVar: 'NATS_PASSWORD' });
    }
  });

  it("publishes the edge's SIP, SIP over TLS and the wss port its configuration listens on", function () {
    const wss = env('edge', 'EDGE_WSS_PORT');
    expect(wss).to.match(/^\d+$/);
    expect((services.edge?.ports ?? []).map(String)).to.include.members(['5060:5060/udp', '5061:5061/tcp', `${wss}:${wss}/tcp`]);
  });
});
