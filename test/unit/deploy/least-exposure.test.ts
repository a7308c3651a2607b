// Least exposure in the production files: what each compose file publishes on the host, and where
// the admin API listens. Parsed, not run (no Docker engine in unit tests).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
type Service = { ports?: unknown[]; environment?: Record<string, unknown>; network_mode?: string };
const servicesOf = (file: string): Record<string, Service> => (parse(readFileSync(path.join(ROOT, file), 'utf8')) as { services: Record<string, Service> }).services;

// "127.0.0.1:${PORT:-8080}:8080/tcp" -> host address ("" for every address), host port(s), container port/protocol.
function published(entry: unknown): { address: string; hostPorts: string; container: string } {
  const match = /^(?:([\d.]+|\[[^\]]+\]):)?(\$\{[^}]*\}|[\d-]+):([\d-]+)(?:\/(\w+))?$/.exec(String(entry));
  if (!match) throw new Error(`unreadable port entry ${String(entry)}`);
  return { address: match[1] ?? '', hostPorts: match[2] ?? '', container: `${match[3] ?? ''}/${match[4] ?? 'tcp'}` };
}
const SIP_PORTS = /^(5060|5061|5080|5081)\//;

describe('production files: least exposure', function () {
  it('docker-compose.yml: the admin API listens on the loopback unless the operator says otherwise, and the infrastructure is published on 127.0.0.1 only', function () {
    const services = servicesOf('docker-compose.yml');
    expect(String(services.app?.environment?.ADMIN_HOST)).to.equal('${ADMIN_HOST:-127.0.0.1}');
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) expect(published(port).address, `${name} publishes ${String(port)}`).to.equal('127.0.0.1');
    }
  });

  it('docker-compose.fleet.yml: only the edge publishes SIP ports; admin APIs and the infrastructure are published on 127.0.0.1 only', function () {
    const services = servicesOf('docker-compose.fleet.yml');
    const sipPublishers = Object.entries(services)
      .filter(([, service]) => (service.ports ?? []).some((port) => SIP_PORTS.test(published(port).container)))
      .map(([name]) => name);
    expect(sipPublishers).to.deep.equal(['edge']);
    for (const [name, service] of Object.entries(services)) {
      expect(service.network_mode, `${name} on the host's network`).to.not.equal('host');
      for (const port of service.ports ?? []) {
        const { address, container } = published(port);
        // The edge's SIP and the nodes' RTP ranges face phones; everything else stays on the host.
        if (name === 'edge' || /-asterisk$/.test(name)) continue;
        expect(address, `${name} publishes ${container} beyond the loopback`).to.equal('127.0.0.1');
      }
    }
  });
});
