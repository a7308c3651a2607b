// The console's front end (app/console/web: Preact + htm, uPlot) bundled by esbuild into
// dist/console (index.html, login.html, assets/). Run by scripts/provision.sh after the TypeScript
// build, and by the Dockerfile; the app serves it under /console, nothing is loaded from elsewhere.
// The web phone (app/phone/web) is bundled the same way into dist/phone, served under /phone.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'app/console/web');
const out = join(root, process.argv[2] ?? 'dist/console');

mkdirSync(join(out, 'assets'), { recursive: true });
await build({
  entryPoints: { main: join(web, 'main.js'), login: join(web, 'login.js') },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2020'],
  outdir: join(out, 'assets'),
  logLevel: 'warning',
});
for (const page of ['index.html', 'login.html']) copyFileSync(join(web, page), join(out, page));

// The web phone (app/phone/web: JsSIP), served under /phone, into dist/phone.
const phoneWeb = join(root, 'app/phone/web');
const phoneOut = join(root, process.argv[3] ?? 'dist/phone');
mkdirSync(join(phoneOut, 'assets'), { recursive: true });
await build({
  entryPoints: { phone: join(phoneWeb, 'phone.js') },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2020'],
  outdir: join(phoneOut, 'assets'),
  logLevel: 'warning',
});
copyFileSync(join(phoneWeb, 'phone.html'), join(phoneOut, 'phone.html'));
