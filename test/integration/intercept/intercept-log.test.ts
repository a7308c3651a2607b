import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createFileLogger, LogFileError } from '../../../app/shared/infra/logger';

// The intercept module's own log file (INTERCEPT_LOG_FILE), on the real filesystem.
describe('integration: intercept log file', function () {
  let dir: string;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'intercept-log-'));
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a writable path, then lines are written there as JSON, readable by the owner only', async function () {
    const file = join(dir, 'sub', 'intercept.log');
    const log = createFileLogger({ level: 'info', service: 'calling-intercept', file });
    log.child({ warrantId: 'w-1' }).info('intercept begun', { targetRole: 'caller' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const line = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(line).to.include({ message: 'intercept begun', warrantId: 'w-1', targetRole: 'caller', service: 'calling-intercept' });
    expect(statSync(file).mode & 0o777).to.equal(0o600);
  });

  it('given a path that cannot be written (its parent is a regular file), then the start fails naming the file', function () {
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    const file = join(dir, 'not-a-dir', 'intercept.log');
    expect(() => createFileLogger({ level: 'info', service: 'calling-intercept', file })).to.throw(LogFileError, `cannot write the log file ${file}`);
  });
});
