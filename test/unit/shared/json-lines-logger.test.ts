import { expect } from 'chai';
import { JsonLinesLogger } from '../../../app/shared/infra/logger';

describe('JSON lines logger', function () {
  const lines: string[] = [];
  const parsed = (): Record<string, unknown>[] => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  beforeEach(function () {
    lines.length = 0;
  });

  it('given a child logger per call, when it logs, then one JSON line carries level, message, the bindings, the fields and a timestamp', function () {
    const log = new JsonLinesLogger(2, { service: 'calling' }, (line) => lines.push(line)).child({ callId: 'c-1' });
    log.info('call answered', { setupMs: 12 });
    expect(lines).to.have.length(1);
    expect(lines[0]?.endsWith('\n')).to.equal(true);
    const [entry] = parsed();
    expect(entry).to.include({ level: 'info', message: 'call answered', service: 'calling', callId: 'c-1', setupMs: 12 });
    expect(Date.parse(String(entry?.timestamp))).to.be.closeTo(Date.now(), 5000);
  });

  it('given level info, when debug is logged, then nothing is written, and warn and error are', function () {
    const log = new JsonLinesLogger(2, {}, (line) => lines.push(line));
    log.debug('noise');
    log.warn('careful');
    log.error('broken');
    expect(parsed().map((entry) => entry.level)).to.deep.equal(['warn', 'error']);
  });

  it('given bigint and Error fields, when logged, then they are written instead of throwing', function () {
    const log = new JsonLinesLogger(3, {}, (line) => lines.push(line));
    log.info('call settled', { amountMinor: 1250n, huge: 2n ** 70n, error: new Error('boom') });
    const [entry] = parsed();
    expect(entry?.amountMinor).to.equal(1250);
    expect(entry?.huge).to.equal((2n ** 70n).toString());
    expect(entry?.error).to.include({ name: 'Error', message: 'boom' });
  });

  it('given a field with a cycle, when logged, then the line goes out without the fields and says why', function () {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    new JsonLinesLogger(2, { service: 's' }, (line) => lines.push(line)).info('odd', { cyclic });
    const [entry] = parsed();
    expect(entry).to.include({ level: 'info', message: 'odd', service: 's' });
    expect(entry?.logError).to.be.a('string');
  });
});
