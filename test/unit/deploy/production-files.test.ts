// Checks the production files (Dockerfile, asterisk/Dockerfile, docker-compose.yml) against the
// code they deploy, without a Docker engine: the compose file is parsed and interpolated as compose
// does, the app's environment goes through the real config loader, and the Asterisk entrypoint
// renders the real templates.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { loadConfig } from '../../../app/config';
import { configSchema } from '../../../app/config/schema';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

type Dict = Record<string, unknown>;
function dict(value: unknown, what: string): Dict {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not a mapping`);
  return value as Dict;
}
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);

// ---------------------------------------------------------------- compose interpolation
const SECRETS = ['ADMIN_TOKEN', 'PG_SUPERUSER_PASSWORD', 'POSTGRES_PASSWORD', 'PG_APP_PASSWORD', 'PG_ASTERISK_PASSWORD', 'PG_EDGE_PASSWORD', 'REDIS_PASSWORD', 'NATS_PASSWORD', 'ARI_PASSWORD', 'INTERCEPT_ADMIN_TOKEN'] as const;
const OPERATOR_ENV: Record<string, string> = {
  ADMIN_TOKEN: 'operator-admin-token-0123456789abcdef0123456789',
  PG_SUPERUSER_PASSWORD: 'operator-pg-superuser-secret',
  POSTGRES_PASSWORD: 'operator-pg-secret',
  PG_APP_PASSWORD: 'operator-pg-app-secret',
  PG_ASTERISK_PASSWORD: 'operator-pg-asterisk-secret',
  PG_EDGE_PASSWORD: 'operator-pg-edge-secret',
  REDIS_PASSWORD: 'operator-redis-secret',
  NATS_PASSWORD: 'operator-nats-secret',
  ARI_PASSWORD: 'operator-ari-secret',
  INTERCEPT_ADMIN_TOKEN: 'operator-intercept-admin-token-0123456789abcdef',
};

// Compose's own rules: $$ is a literal $, ${X:-d} / ${X-d} default, ${X:?m} / ${X?m} required.
function interpolate(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(/\$(\$|\{([^}]*)\}|[A-Za-z_][A-Za-z0-9_]*)/g, (_match, whole: string, braced: string | undefined) => {
    if (whole === '$') return '$';
    if (braced === undefined) return vars[whole] ?? '';
    const parts = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^$]*))?$/.exec(braced);
    if (!parts) throw new Error(`unsupported interpolation \${${braced}}`);
    const [, name = '', op, arg = ''] = parts;
    const value = vars[name];
    const missing = value === undefined || (op?.startsWith(':') === true && value === '');
    if (op === undefined) return value ?? '';
    if (op.endsWith('-')) return missing ? arg : (value ?? '');
    if (missing) throw new Error(`required variable ${name} is missing: ${arg}`);
    return value ?? '';
  });
}
function interpolateAll(value: unknown, vars: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, vars);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, vars));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, vars)]));
  }
  return value;
}

const services = (doc: unknown): Dict => dict(dict(doc, 'docker-compose.yml').services, 'services');
const service = (doc: unknown, name: string): Dict => dict(services(doc)[name], `service ${name}`);
function environment(doc: unknown, name: string): Record<string, string> {
  const env = service(doc, name).environment;
  if (Array.isArray(env)) return Object.fromEntries(env.map(String).map((entry) => [entry.split('=')[0] ?? '', entry.slice(entry.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(dict(env ?? {}, `${name}.environment`)).map(([key, value]) => [key, String(value)]));
}

// ---------------------------------------------------------------- Dockerfiles and .dockerignore
interface Instruction { keyword: string; args: string; stage: string }
function dockerfile(file: string): Instruction[] {
  const lines = read(file).split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ').split('\n').filter((line) => line.trim() !== '');
  let stage = '';
  return joined.map((line) => {
    const [, keyword = '', args = ''] = /^\s*(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? args;
    return { keyword: keyword.toUpperCase(), args: args.trim(), stage };
  });
}
function copies(instructions: Instruction[]): { from?: string; sources: string[]; dest: string; stage: string }[] {
  return instructions.filter((i) => i.keyword === 'COPY').map((i) => {
    const words = i.args.startsWith('[') ? (JSON.parse(i.args) as string[]) : i.args.split(/\s+/);
    const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
    const paths = words.filter((word) => !word.startsWith('--'));
    return { from, sources: paths.slice(0, -1), dest: paths[paths.length - 1] ?? '', stage: i.stage };
  });
}
function envOf(instructions: Instruction[]): Record<string, string> {
  const pairs = instructions.filter((i) => i.keyword === 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)]);
  return Object.fromEntries(pairs.map((pair) => [pair[1] ?? '', pair[2] ?? '']));
}
function ignoredByDockerignore(file: string): boolean {
  const escape = (text: string): string => text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  // ** spans directories, * and ? stay within one; a pattern that names a directory covers its content.
  const toRegExp = (pattern: string): RegExp => {
    const glob = (part: string): string => part.split('*').map((p) => p.split('?').map(escape).join('[^/]')).join('[^/]*');
    const anyDepth = (part: string): string => part.split('**').map(glob).join('.*');
    return new RegExp(`^${pattern.replace(/^\//, '').split('**/').map(anyDepth).join('(?:.*/)?')}(/.*)?$`);
  };
  let ignored = false;
  for (const line of read('.dockerignore').split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (toRegExp(negated ? line.slice(1) : line).test(file.replace(/\/+$/, ''))) ignored = !negated;
  }
  return ignored;
}

describe('production files', function () {
  // Read in a hook, not at load time: a broken file fails these tests, not the whole mocha run.
  let rawCompose = '';
  let composeDoc: unknown;
  let deployed: unknown;
  let APP_DOCKERFILE: Instruction[] = [];
  let ASTERISK_DOCKERFILE: Instruction[] = [];
  before(function () {
    rawCompose = read('docker-compose.yml');
    composeDoc = parse(rawCompose);
    deployed = interpolateAll(composeDoc, OPERATOR_ENV);
    APP_DOCKERFILE = dockerfile('Dockerfile');
    ASTERISK_DOCKERFILE = dockerfile('asterisk/Dockerfile');
  });

  describe('docker-compose.yml', function () {
    const NATS_SERVERS = ['nats-1', 'nats-2', 'nats-3'];
    it('defines the services the design needs: postgres, redis, a NATS cluster of 3, the SIP edge, asterisk, a one-shot migrate and the app', function () {
      expect(services(composeDoc)).to.include.all.keys('postgres', 'redis', ...NATS_SERVERS, 'edge', 'asterisk', 'migrate', 'app');
      expect(service(composeDoc, 'migrate').restart).to.equal('no');
      expect(service(composeDoc, 'db-roles').restart, 'roles set-up is a one-shot').to.equal('no');
      for (const name of ['postgres', 'redis', ...NATS_SERVERS, 'edge', 'asterisk', 'app']) expect(service(composeDoc, name).restart, name).to.equal('unless-stopped');
    });

    it('requires every secret from the operator with ${VAR:?...}, so compose refuses to start without one', function () {
      for (const secret of SECRETS) {
        const references = [...rawCompose.matchAll(new RegExp(`\\$\\{${secret}(\\W[^}]*)?\\}`, 'g'))].map((m) => m[0]);
        expect(references, secret).to.not.be.empty;
        for (const reference of references) expect(reference, secret).to.match(new RegExp(`^\\$\\{${secret}:\\?[^}]+\\}$`));
        const withoutIt = { ...OPERATOR_ENV, [secret]: undefined };
        expect(() => interpolateAll(composeDoc, withoutIt), secret).to.throw(new RegExp(`required variable ${secret}`));
      }
    });

    it('holds no literal secret: passwords, tokens and URL credentials all come from required variables', function () {
      for (const name of Object.keys(services(composeDoc))) {
        for (const [key, value] of Object.entries(environment(composeDoc, name))) {
          if (/PASSWORD|TOKEN|SECRET/.test(key)) expect(value, `${name}.${key}`).to.match(/^\$\{[A-Z_]+:\?[^}]+\}$/);
        }
        for (const [key, value] of Object.entries(environment(deployed, name))) {
          const password = URL.canParse(value) ? new URL(value).password : '';
          if (password) expect(Object.values(OPERATOR_ENV), `${name}.${key}: URL password`).to.include(password);
        }
      }
      for (const [key] of Object.entries({ ...envOf(APP_DOCKERFILE), ...envOf(ASTERISK_DOCKERFILE) })) {
        expect(key, 'Dockerfile ENV').to.not.match(/PASSWORD|TOKEN|SECRET/);
      }
    });

    it("sets every variable of the app's config schema explicitly (its defaults are the local profile's)", function () {
      const env = environment(composeDoc, 'app');
      expect(Object.keys(configSchema.shape).filter((key) => !(key in env))).to.deep.equal([]);
      expect(Object.keys(env).filter((key) => !(key in configSchema.shape)), 'variables the app does not read').to.deep.equal([]);
    });

    it("given the operator's secrets, then the app's environment passes the config loader in production", function () {
      const config = loadConfig(environment(deployed, 'app'));
      expect(config.env).to.equal('production');
      expect(config.admin).to.include({ host: '127.0.0.1', token: OPERATOR_ENV.ADMIN_TOKEN, tokenGenerated: false, inClearBeyondLoopback: false });
      expect(config.ari.password).to.equal(OPERATOR_ENV.ARI_PASSWORD);
      // Least privilege: the controller logs in as calling_app, never as the owner or the superuser.
      expect(new URL(config.database.url)).to.include({ username: 'calling_app', password: OPERATOR_ENV.PG_APP_PASSWORD });
      expect(new URL(config.redis.url)).to.include({ username: 'calling', password: OPERATOR_ENV.REDIS_PASSWORD });
      // Every server of the NATS cluster is named with the credentials.
      for (const server of config.nats.url.split(',')) expect(new URL(server)).to.include({ username: 'calling', password: OPERATOR_ENV.NATS_PASSWORD });
      expect(config.intercept).to.include({ adminToken: OPERATOR_ENV.INTERCEPT_ADMIN_TOKEN, adminTokenGenerated: false });
    });

    it('given interception enabled with a key of its own, then the app starts with its intercept log on a volume the runtime user owns', function () {
      const key = Buffer.alloc(32, 9).toString('base64');
      const locations = 's3://evidence-a/li/?region=eu-west-1,s3://evidence-b/li/?region=eu-central-1,s3://evidence-c/li/?region=us-east-1&endpoint=https://objects.example&path_style=true';
      const config = loadConfig({ ...environment(interpolateAll(composeDoc, { ...OPERATOR_ENV, INTERCEPT_ENABLED: 'true', INTERCEPT_ENCRYPTION_KEY: key, INTERCEPT_EVIDENCE_LOCATIONS: locations }), 'app') });
      expect(config.intercept.storage.map((location) => location.kind)).to.deep.equal(['s3', 's3', 's3']);
      expect(config.intercept.enabled).to.equal(true);
      const logDir = path.posix.dirname(config.intercept.logFile);
      expect(strings(service(composeDoc, 'app').volumes).map((volume) => volume.split(':')[1])).to.include(logDir);
      const runtime = APP_DOCKERFILE.filter((i) => i.stage === 'runtime' && i.keyword === 'RUN').map((i) => i.args).join(' ');
      expect(runtime).to.include(`chown node:node ${logDir}`);
    });

    it('gives the app and Asterisk the same ARI endpoint and credentials, SIP settings and database, each with a database role of its own; the edge faces phones and reaches Asterisk from the one address its ACL admits', function () {
      const app = loadConfig(environment(deployed, 'app'));
      const ast = environment(deployed, 'asterisk');
      const edge = environment(deployed, 'edge');
      expect(app.ari).to.include({ user: ast.ARI_USER, password: ast.ARI_PASSWORD, app: ast.ARI_APP });
      expect(new URL(app.ari.url)).to.include({ hostname: ast.ARI_HOST, port: ast.ARI_PORT });
      expect(app.sip).to.include({ host: edge.EDGE_IP, port: Number(edge.EDGE_PORT), realm: ast.SIP_REALM, behindEdge: true });
      expect(edge.EDGE_NODES).to.equal(`sip:${ast.SIP_HOST}:${ast.SIP_PORT}`);
      expect(edge.EDGE_NODE_SIDE_LISTEN).to.equal(`listen=udp:${ast.EDGE_IP}:${edge.EDGE_PORT}`);
      expect(edge.EDGE_NODE_ATTRS).to.include(`socket=udp:${ast.EDGE_IP}:${edge.EDGE_PORT}`);
      expect(app.nats.streamReplicas).to.equal(NATS_SERVERS.length);
      const db = new URL(app.database.url);
      expect({ host: db.hostname, port: db.port, db: db.pathname.slice(1) }).to.deep.equal({ host: ast.PG_HOST, port: ast.PG_PORT, db: ast.PG_DB });
      expect({ user: db.username, password: db.password }).to.deep.equal({ user: 'calling_app', password: OPERATOR_ENV.PG_APP_PASSWORD });
      expect({ user: ast.PG_USER, password: ast.PG_PASSWORD }).to.deep.equal({ user: 'calling_asterisk', password: OPERATOR_ENV.PG_ASTERISK_PASSWORD });
    });

    it('gives Asterisk real UDP on the host network, with ARI on the loopback where the app (same network) reaches it', function () {
      expect(service(composeDoc, 'asterisk').network_mode).to.equal('host');
      expect(service(composeDoc, 'app').network_mode).to.equal('host');
      expect(environment(deployed, 'asterisk').ARI_HOST).to.equal('127.0.0.1');
      for (const name of Object.keys(services(composeDoc))) {
        if (service(composeDoc, name).network_mode === 'host') expect(service(composeDoc, name).ports, `${name} on the host network publishes nothing`).to.be.undefined;
        for (const port of strings(service(deployed, name).ports)) expect(port, `${name} is published on the loopback only`).to.match(/^127\.0\.0\.1:/);
      }
    });

    it("runs prisma migrate deploy once, from the app image, on the app's database as its owner (not the app's role, not the superuser)", function () {
      const migrate = service(composeDoc, 'migrate');
      expect(migrate.image).to.equal(service(composeDoc, 'app').image);
      expect(dict(migrate.build, 'migrate.build').dockerfile).to.equal(dict(service(composeDoc, 'app').build, 'app.build').dockerfile);
      expect(strings(migrate.command).join(' ')).to.match(/prisma migrate deploy$/);
      const target = new URL(environment(deployed, 'migrate').DATABASE_URL ?? '');
      const app = new URL(environment(deployed, 'app').DATABASE_URL ?? '');
      expect([target.hostname, target.pathname]).to.deep.equal(['postgres', app.pathname]);
      expect([target.username, target.password]).to.deep.equal(['calling', OPERATOR_ENV.POSTGRES_PASSWORD]);
      // The roles exist before the migrations grant them their rights.
      const roles = environment(deployed, 'db-roles');
      expect(roles).to.include({ CALLING_OWNER: target.username, CALLING_OWNER_PASSWORD: target.password, CALLING_APP_PASSWORD: app.password, PGPASSWORD: OPERATOR_ENV.PG_SUPERUSER_PASSWORD });
      expect(dict(migrate.healthcheck, 'migrate.healthcheck').disable, 'a one-shot has no health').to.equal(true);
    });

    it('starts each service after what it needs: healthy infrastructure, then migrations, then Asterisk and the app', function () {
      const dependsOn = (name: string): Record<string, unknown> =>
        Object.fromEntries(Object.entries(dict(service(composeDoc, name).depends_on, `${name}.depends_on`)).map(([key, value]) => [key, dict(value, key).condition]));
      expect(dependsOn('db-roles')).to.deep.equal({ postgres: 'service_healthy' });
      expect(dependsOn('migrate')).to.deep.equal({ 'db-roles': 'service_completed_successfully' });
      expect(dependsOn('asterisk')).to.deep.equal({ postgres: 'service_healthy', migrate: 'service_completed_successfully' });
      expect(dependsOn('app')).to.deep.equal({
        migrate: 'service_completed_successfully', postgres: 'service_healthy', redis: 'service_healthy', 'nats-1': 'service_healthy', 'nats-2': 'service_healthy', 'nats-3': 'service_healthy', asterisk: 'service_started',
      });
    });

    it('has a healthcheck for every long-running service: in compose for the infrastructure, in the image for the app and Asterisk', function () {
      for (const name of ['postgres', 'redis', ...NATS_SERVERS]) expect(strings(dict(service(composeDoc, name).healthcheck, name).test), name).to.have.length.greaterThan(1);
      for (const name of NATS_SERVERS) expect(strings(dict(service(composeDoc, name).healthcheck, name).test).join(' ')).to.include(':8222/healthz');
      expect(strings(dict(service(composeDoc, 'postgres').healthcheck, 'postgres').test).join(' ')).to.include('pg_isready');
      expect(APP_DOCKERFILE.filter((i) => i.keyword === 'HEALTHCHECK').map((i) => i.args).join()).to.include('/healthz');
      expect(ASTERISK_DOCKERFILE.some((i) => i.keyword === 'HEALTHCHECK')).to.equal(true);
    });
  });

  describe('asterisk/Dockerfile and its entrypoint', function () {
    let instance = '';
    let imageEnv: Record<string, string> = {};
    before(function () {
      instance = mkdtempSync(path.join(tmpdir(), 'asterisk-instance-'));
      imageEnv = envOf(ASTERISK_DOCKERFILE);
    });
    after(function () {
      rmSync(instance, { recursive: true, force: true });
    });

    // The image's paths, mapped to the repository files its COPY lines take them from.
    const render = (env: Record<string, string | undefined>) =>
      spawnSync('bash', [path.join(ROOT, 'asterisk/docker-entrypoint.sh'), 'true'], {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH, ...imageEnv, ...env,
          AST_INSTANCE: instance, AST_MODDIR: '/usr/lib/x86_64-linux-gnu/asterisk/modules',
          AST_CONF_TEMPLATES: path.join(ROOT, 'asterisk/conf'), AST_RENDERER: path.join(ROOT, 'scripts/render-asterisk-conf.sh'),
        },
      });

    it('copies the templates and the renderer to the paths the entrypoint reads', function () {
      const byDest = Object.fromEntries(copies(ASTERISK_DOCKERFILE).map((c) => [c.dest.replace(/\/+$/, ''), c.sources.join(' ')]));
      expect(byDest[imageEnv.AST_CONF_TEMPLATES ?? '']).to.equal('asterisk/conf/');
      expect(byDest[imageEnv.AST_RENDERER ?? '']).to.equal('scripts/render-asterisk-conf.sh');
      expect(ASTERISK_DOCKERFILE.find((i) => i.keyword === 'USER')?.args).to.equal('asterisk');
      for (const volume of strings(service(composeDoc, 'asterisk').volumes)) expect(volume.split(':')[1]).to.match(new RegExp(`^${imageEnv.AST_INSTANCE ?? '-'}/`));
    });

    it("given the compose environment, then every {{PLACEHOLDER}} in asterisk/conf gets a value", function () {
      const result = render(environment(deployed, 'asterisk'));
      expect(result.status, result.stderr).to.equal(0);
      const templates = readdirSync(path.join(ROOT, 'asterisk/conf')).filter((file) => file.endsWith('.conf'));
      for (const file of templates) expect(readFileSync(path.join(instance, 'etc', file), 'utf8'), file).to.not.match(/\{\{[A-Z0-9_]+\}\}/);
      // Asterisk logs in with its own role (ps_* tables only).
      expect(readFileSync(path.join(instance, 'etc/res_pgsql.conf'), 'utf8')).to.match(new RegExp(`^password = ${OPERATOR_ENV.PG_ASTERISK_PASSWORD}$`, 'm'));
      expect(readFileSync(path.join(instance, 'etc/res_pgsql.conf'), 'utf8')).to.match(/^user = calling_asterisk$/m);
      expect(readFileSync(path.join(instance, 'etc/http.conf'), 'utf8')).to.match(/^bindaddr = 127\.0\.0\.1$/m);
    });

    it('given no AST_MAXLOAD, then the entrypoint derives the load limit from the CPUs', function () {
      const { AST_MAXLOAD: _unset, ...withoutMaxload } = environment(deployed, 'asterisk');
      const result = render(withoutMaxload);
      expect(result.status, result.stderr).to.equal(0);
      const maxload = /^maxload = (\S+)$/m.exec(readFileSync(path.join(instance, 'etc/asterisk.conf'), 'utf8'))?.[1];
      expect(Number(maxload)).to.be.greaterThan(0);
    });

    it('given a missing variable, then the entrypoint stops before Asterisk and names it', function () {
      const { ARI_PASSWORD: _dropped, ...withoutPassword } = environment(deployed, 'asterisk');
      const result = render(withoutPassword);
      expect(result.status).to.not.equal(0);
      expect(result.stderr).to.include('{{ARI_PASSWORD}}');
    });
  });

  describe('the Dockerfiles', function () {
    it('copy only files that exist in the repository and that .dockerignore keeps in the build context', function () {
      for (const [file, instructions] of [['Dockerfile', APP_DOCKERFILE], ['asterisk/Dockerfile', ASTERISK_DOCKERFILE]] as const) {
        for (const source of copies(instructions).filter((c) => c.from === undefined).flatMap((c) => c.sources)) {
          expect(existsSync(path.join(ROOT, source)), `${file}: ${source} exists`).to.equal(true);
          // Every file of a copied directory too (tracked or new, not git-ignored: generated files are rebuilt).
          const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', source], { cwd: ROOT, encoding: 'utf8' });
          expect(listed.status, listed.stderr).to.equal(0);
          for (const copied of [source, ...listed.stdout.split('\n').filter(Boolean)]) {
            expect(ignoredByDockerignore(copied), `${file}: ${copied} is in the build context`).to.equal(false);
          }
        }
      }
    });

    it('leave host-built artefacts and secrets out of the build context', function () {
      for (const file of ['node_modules/x', 'dist/app/main.js', '.local/asterisk-root', 'app/shared/infra/prisma/generated/client.ts', '.env', '.git/HEAD']) {
        expect(ignoredByDockerignore(file), file).to.equal(true);
      }
    });

    it('run the compiled app as a non-root user in production, at the path tsc writes main.js to', function () {
      const runtime = APP_DOCKERFILE.filter((i) => i.stage === 'runtime');
      expect(runtime.find((i) => i.keyword === 'USER')?.args).to.be.a('string').and.not.match(/^(root|0)$/);
      expect(envOf(runtime).NODE_ENV).to.equal('production');
      const cmd = JSON.parse(runtime.find((i) => i.keyword === 'CMD')?.args ?? '[]') as string[];
      const build = dict(JSON.parse(read('tsconfig.build.json')), 'tsconfig.build.json');
      const base = dict(dict(JSON.parse(read('tsconfig.json')), 'tsconfig.json').compilerOptions, 'compilerOptions');
      const option = (name: string): string => {
        const value = dict(build.compilerOptions ?? {}, 'compilerOptions')[name] ?? base[name];
        return typeof value === 'string' ? value : '.';
      };
      const mainJs = path.join(option('outDir'), path.relative(option('rootDir'), 'app/main.ts')).replace(/\.ts$/, '.js');
      expect(cmd).to.deep.equal(['node', '--enable-source-maps', mainJs]);
      const buildDir = APP_DOCKERFILE.find((i) => i.stage === 'build' && i.keyword === 'WORKDIR')?.args ?? '/';
      expect(copies(runtime).some((c) => c.from === 'build' && c.sources.includes(path.posix.join(buildDir, path.dirname(mainJs))))).to.equal(true);
    });

    it('give the runtime image what `prisma migrate deploy` loads: the config, the files it imports, schema and migrations', function () {
      const copied = copies(APP_DOCKERFILE.filter((i) => i.stage === 'runtime')).filter((c) => c.from === undefined).flatMap((c) => c.sources);
      const imports = [...read('prisma.config.ts').matchAll(/from '(\.[^']+)'/g)].map((m) => path.normalize(m[1] ?? ''));
      const covered = (file: string): boolean => copied.some((source) => file === source || file.startsWith(`${source.replace(/\/+$/, '')}/`));
      for (const file of ['prisma.config.ts', 'prisma/schema.prisma', 'prisma/migrations', ...imports]) expect(covered(file), file).to.equal(true);
    });
  });
});
