import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createAdminApi, listen } from '../../../app/admin-api';
import { silentLogger } from '../../../app/shared/infra/logger';
import { PROJECT_ROOT } from '../../support/test-env';

// The web phone over https (browsers give a page the microphone only in a secure context): the app's
// own TLS listener (ADMIN_TLS_CERT_FILE/KEY) serves /phone with a certificate of the project's local
// CA (.local/certs, made by the stacks' set-up: scripts/lib/edge-certs.sh), which a client that
// trusts that CA, and nothing else, accepts. README: "WebRTC: the web phone".
const CERT_DIR = process.env.EDGE_CERT_DIR ?? join(PROJECT_ROOT, '.local', 'certs');

function get(port: number, path: string, ca?: Buffer): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('integration: the web phone served over https with the project\'s CA', function () {
  let dir: string;
  let server: Server | undefined;
  let port: number;
  let ca: Buffer;

  before(async function () {
    const caCert = join(CERT_DIR, 'ca.crt');
    const caKey = join(CERT_DIR, 'ca.key');
    expect(existsSync(caCert) && existsSync(caKey), `the local CA in ${CERT_DIR} (made when a stack starts)`).to.equal(true);
    ca = readFileSync(caCert);
    dir = mkdtempSync(join(tmpdir(), 'phone-https-'));
    // A certificate for the app's listener, signed by the local CA as an operator's CA would sign one.
    const run = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
    run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=calling-app', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'req.csr')]);
    execFileSync('bash', ['-c', `printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > "${join(dir, 'ext.cnf')}"`]);
    run(['x509', '-req', '-in', join(dir, 'req.csr'), '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-CAserial', join(dir, 'ca.srl'), '-days', '1', '-extfile', join(dir, 'ext.cnf'), '-out', join(dir, 'cert.pem')]);

    const operators = { authenticateToken: () => Promise.resolve(undefined), recordChange: () => Promise.resolve() };
    const app = createAdminApi({
      token: 'phone-https-token-0123456789',
      users: {} as never,
      operators: operators as never,
      health: [],
      log: silentLogger,
      trustedProxies: [],
      phone: { assetsDir: join(PROJECT_ROOT, 'dist', 'phone'), wssUrl: 'wss://127.0.0.1:8443', domain: 'calling.local' },
    });
    server = await listen(app, '127.0.0.1', 0, { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') });
    port = (server.address() as AddressInfo).port;
  });

  after(function () {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('given the app\'s TLS listener with a certificate of the local CA, when a client trusting that CA opens /phone, then the page, its script and its settings load over https', async function () {
    const page = await get(port, '/phone/', ca);
    expect(page.status).to.equal(200);
    expect(page.type).to.match(/text\/html/);
    expect(page.body).to.include('id="login"');
    const script = await get(port, '/phone/assets/phone.js', ca);
    expect(script.status).to.equal(200);
    expect(script.type).to.match(/javascript/);
    const settings = await get(port, '/phone/settings.json', ca);
    expect(settings.status).to.equal(200);
    expect(JSON.parse(settings.body)).to.include({ wssUrl: 'wss://127.0.0.1:8443', domain: 'calling.local' });
  });

  it('given a client that does not trust the local CA, then the TLS handshake fails (the certificate is the CA\'s, not one any client takes)', async function () {
    const refused = await get(port, '/phone/').then(
      () => 'accepted',
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(refused).to.match(/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
  });
});
