import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const APP = resolve(__dirname, '../../../app');

// The app's files a module reaches through its imports, type-only ones included (relative imports
// only: packages are not the app's code).
function reachableFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const base = resolve(dirname(file), (match[1] as string).replace(/\.js$/, ''));
      const target = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
      if (!target) throw new Error(`${relative(APP, file)}: cannot resolve ${match[1]}`);
      pending.push(target);
    }
  }
  return seen;
}

// Lawful intercept must add no delay to call set-up and leave no trace a party could notice: it
// runs on the call-state events (its own JetStream consumer), never inside the call state manager.
describe('lawful intercept stays off the call path', function () {
  it('given the call state manager and everything it imports, then none of it is lawful intercept code', function () {
    const reached = [...reachableFrom(join(APP, 'call-state/index.ts'))].map((file) => relative(APP, file));
    expect(reached.length, 'the walk found the call state manager').to.be.greaterThan(10);
    expect(reached).to.include('call-state/call-setup.ts');
    const interceptCode = reached.filter((file) => file.startsWith('intercept/') || file === 'switch/ari-snoop-recorder.ts');
    expect(interceptCode).to.deep.equal([]);
  });

  it('given the intercept module, then the walk sees its files (the check above can fail)', function () {
    const reached = [...reachableFrom(join(APP, 'switch/ari-snoop-recorder.ts'))].map((file) => relative(APP, file));
    expect(reached.some((file) => file.startsWith('intercept/'))).to.be.true;
  });
});
