import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createAdminApi, listen } from '../../../app/admin-api';
import { SipBans, type EdgeGuard, SipBanNotFoundError } from '../../../app/edge';
import { type AuditRecord } from '../../../app/operators';
import { silentLogger } from '../../../app/shared/infra/logger';

// The admin API's own listener over TLS, and the client address its audit log records directly
// and behind a trusted reverse proxy. A self-signed certificate is made for the test (openssl).
const TOKEN = 'exposure-token-0123456789';

class OneBanGuard implements EdgeGuard {
  banned = new Set(['203.0.113.7', '203.0.113.8', '203.0.113.9']);
  listBans = (): ReturnType<EdgeGuard['listBans']> => Promise.resolve([...this.banned].map((address) => ({ address, reason: 'auth' as const, failures: 10, until: new Date(Date.now() + 60_000) })));
  liftBan = (address: string): Promise<void> => (this.banned.delete(address) ? Promise.resolve() : Promise.reject(new SipBanNotFoundError(address)));
  failuresBySource = (): ReturnType<EdgeGuard['failuresBySource']> => Promise.resolve([]);
  failuresByUsername = (): ReturnType<EdgeGuard['failuresByUsername']> => Promise.resolve([]);
  stats = (): ReturnType<EdgeGuard['stats']> => Promise.resolve({ bans: 0, lifts: 0, authFailures: 0, scannerDrops: 0, floods: 0, unknownDomain: 0, dropped: 0 });
}

describe('integration: admin API exposure (TLS listener, trusted proxies)', function () {
  let dir: string;
  const servers: Server[] = [];
  const audited: AuditRecord[] = [];

  async function serve(options: { trustedProxies?: string[]; tls?: boolean }): Promise<number> {
    const operators = { authenticateToken: () => Promise.resolve(undefined), recordChange: (record: AuditRecord) => Promise.resolve(void audited.push(record)) };
    const app = createAdminApi({ token: TOKEN, users: {} as never, operators: operators as never, sipBans: new SipBans(new OneBanGuard(), silentLogger), health: [], log: silentLogger, trustedProxies: options.trustedProxies ?? [] });
    const server = await listen(app, '127.0.0.1', 0, options.tls ? { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } : undefined);
    servers.push(server);
    return (server.address() as AddressInfo).port;
  }

  const lift = async (port: number, address: string, forwardedFor?: string): Promise<number> => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/sip-bans/${address}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}`, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    });
    return res.status;
  };

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'admin-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=admin.test', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  });
  after(function () {
    for (const server of servers) server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a certificate in the config, then the admin API answers over TLS with it, and plain HTTP on that port gets no answer', async function () {
    const port = await serve({ tls: true });
    const answer = await new Promise<{ status: number; body: string; peer: string }>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path: '/v1/sip-bans', headers: { authorization: `Bearer ${TOKEN}` }, ca: readFileSync(join(dir, 'cert.pem')) }, (res) => {
        // Read while the connection is open: the certificate the server showed.
        const peer = (res.socket as unknown as { getPeerCertificate(): { subject: { CN: string } } }).getPeerCertificate().subject.CN;
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, peer }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).to.equal(200);
    expect(answer.peer).to.equal('admin.test');
    expect((JSON.parse(answer.body) as { bans: unknown[] }).bans).to.have.length(3);
    const plain = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) }).then(
      (res) => res.status,
      () => 'refused',
    );
    expect(plain).to.not.equal(200);
  });

  it('given no trusted proxy, when a client sends X-Forwarded-For, then the audit log keeps the address it really came from', async function () {
    const port = await serve({});
    expect(await lift(port, '203.0.113.7', '198.51.100.23')).to.equal(204);
    expect(audited.at(-1)).to.include({ action: 'sip-bans.lift', target: '203.0.113.7', sourceIp: '127.0.0.1' });
  });

  it('given the proxy in front as trusted, then the audit log shows the client it forwarded, never an address the client itself wrote before it', async function () {
    const port = await serve({ trustedProxies: ['127.0.0.1'] });
    expect(await lift(port, '203.0.113.8', '198.51.100.23')).to.equal(204);
    expect(audited.at(-1)).to.include({ target: '203.0.113.8', sourceIp: '198.51.100.23' });
    // The client wrote 6.6.6.6 itself; the proxy appended the address it saw.
    expect(await lift(port, '203.0.113.9', '6.6.6.6, 198.51.100.24')).to.equal(204);
    expect(audited.at(-1)).to.include({ target: '203.0.113.9', sourceIp: '198.51.100.24' });
    expect(await lift(port, '203.0.113.9')).to.equal(404);
  });
});
