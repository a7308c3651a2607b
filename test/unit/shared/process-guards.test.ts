import { expect } from 'chai';
import { Registry } from 'prom-client';
import { guardUnhandledRejections } from '../../../app/shared/infra/process-guards';
import { capturingLogger } from '../../support/fakes/capturing-logger';

describe('process guards: a rejection nobody handled', function () {
  it('given a promise that rejects with no handler, then it is logged with its error and counted, and the process goes on', async function () {
    const log = capturingLogger();
    const metrics = new Registry();
    const remove = guardUnhandledRejections(log, metrics);
    try {
      void Promise.reject(new Error('redis write refused in a timer'));
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      remove();
    }
    // (Mocha's own listener may hand the same rejection on once more: each one seen is logged and counted.)
    const seen = log.entries.map((entry) => [entry.level, entry.message, entry.fields.error]);
    expect(seen).to.not.be.empty;
    expect(seen).to.deep.equal(seen.map(() => ['error', 'unhandled promise rejection', 'redis write refused in a timer']));
    const counted = await metrics.getSingleMetric('process_unhandled_rejections_total')?.get();
    expect(counted?.values[0]?.value).to.equal(seen.length);
  });
});
