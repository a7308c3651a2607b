import { expect } from 'chai';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../app/shared/infra/logger';
import { CelFileCallLog } from '../../../app/switch';

const line = (event: string, ms: number, channel: string): string => `"${event}","${(ms / 1000).toFixed(6)}","${channel}","${channel}"\n`;

describe('CelFileCallLog: the switch event file read backwards and rotated', function () {
  let dir: string;
  let file: string;

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'cel-'));
    file = join(dir, 'switch-events.csv');
  });

  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a file of many calls (several read chunks), then the records of the wanted channels since the given time are found, from the end back or from the start', async function () {
    const start = 1_796_670_000_000;
    const lines: string[] = [];
    for (let i = 0; i < 5_000; i += 1) lines.push(line('ANSWER', start + i * 100, `ch-${i}`), line('HANGUP', start + i * 100 + 50, `ch-${i}`));
    writeFileSync(file, lines.join(''));
    const log = new CelFileCallLog({ file, maxBytes: 1 << 30, log: silentLogger });
    const times = await log.timesOf(['ch-4990', 'ch-10', 'absent'], new Date(start + 4_990 * 100));
    expect([...times]).to.deep.equal([['ch-4990', { answeredAt: new Date(start + 499_000), hungUpAt: new Date(start + 499_050) }]]);
    const all = await log.timesOf(['ch-10'], new Date(start));
    expect(all.get('ch-10')).to.deep.equal({ answeredAt: new Date(start + 1_000), hungUpAt: new Date(start + 1_050) });
  });

  it('given a file past its size limit, when it is rotated, then it becomes <file>.1, new records start a new file, and a call spanning both is still found', async function () {
    const log = new CelFileCallLog({ file, maxBytes: 60, log: silentLogger });
    expect(await log.rotate(), 'no file yet').to.equal(false);
    writeFileSync(file, line('ANSWER', 1_000_000, 'a') + line('ANSWER', 1_000_010, 'b'));
    expect(await log.rotate()).to.equal(true);
    expect(existsSync(`${file}.1`)).to.equal(true);
    appendFileSync(file, line('HANGUP', 1_010_000, 'a'));
    expect(await log.rotate(), 'under the limit').to.equal(false);
    expect(await log.timesOf(['a'], new Date(1_000_000))).to.deep.equal(new Map([['a', { answeredAt: new Date(1_000_000), hungUpAt: new Date(1_010_000) }]]));
  });

  it('given no file at all, then nothing is known (no error)', async function () {
    const log = new CelFileCallLog({ file, maxBytes: 100, log: silentLogger });
    expect((await log.timesOf(['a'], new Date(0))).size).to.equal(0);
  });
});
