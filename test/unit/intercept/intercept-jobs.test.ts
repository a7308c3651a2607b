import { expect } from 'chai';
import { loadConfig, ConfigError } from '../../../app/config';
import { InterceptJobs } from '../../../app/intercept/intercept-jobs';
import { silentLogger } from '../../../app/shared/infra/logger';
import { interceptHarness, type InterceptHarness } from './harness';

const DAY = 24 * 3600_000;
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// When the evidence verification runs: soon after a start, then once per interval, wherever the
// process restarts in between.
describe('intercept jobs: evidence verification schedule', function () {
  let h: InterceptHarness;
  let runs: number;
  const started: InterceptJobs[] = [];

  const startJobs = (random = 0.5): InterceptJobs => {
    const jobs = new InterceptJobs({ ...h, log: silentLogger, random: () => random, options: { tickMs: 60_000, verifyIntervalMs: DAY, instanceId: 'test' } });
    jobs.start();
    started.push(jobs);
    return jobs;
  };
  // Moves the clock a step at a time, letting each check that fires finish.
  const advance = async (ms: number, step = 60_000): Promise<void> => {
    for (let moved = 0; moved < ms; moved += step) {
      h.advance(Math.min(step, ms - moved));
      for (let i = 0; i < 20; i += 1) await settle();
    }
  };

  beforeEach(function () {
    h = interceptHarness();
    runs = 0;
    const run = h.verifier.run.bind(h.verifier);
    h.verifier.run = () => {
      runs += 1;
      return run();
    };
  });

  afterEach(async function () {
    await Promise.all(started.splice(0).map((jobs) => jobs.stop()));
  });

  it('given a start, then the first verification runs within 15-45 s (jittered), not a whole interval later', async function () {
    startJobs(0.5);
    expect(h.scheduler.pending()).to.deep.equal([30_000]);
    await advance(29_000, 1000);
    expect(runs).to.equal(0);
    await advance(1000, 1000);
    expect(runs).to.equal(1);
    startJobs(0.99);
    expect(h.scheduler.pending().at(-1)).to.be.within(15_000, 45_000);
  });

  it('given restarts every hour, then verification still runs once a day, not at every start and not never', async function () {
    for (let hour = 0; hour < 48; hour += 1) {
      const jobs = startJobs();
      await advance(3600_000, 60_000);
      await jobs.stop();
    }
    expect(runs).to.equal(2);
  });

  it('given a verification that fails, then it is tried again within the hour, not a day later', async function () {
    const run = h.verifier.run.bind(h.verifier);
    let fail = true;
    // `run` counts the attempt (the wrapper of beforeEach).
    h.verifier.run = () => (fail ? run().then(() => Promise.reject(new Error('database down'))) : run());
    startJobs();
    await advance(60_000);
    expect(runs).to.equal(1);
    fail = false;
    await advance(3600_000);
    expect(runs).to.equal(2);
  });

  it('given an interval longer than a timer can wait, then the configuration refuses it', function () {
    expect(loadConfig({ INTERCEPT_VERIFY_INTERVAL_MINUTES: '10080' }).intercept.verifyIntervalMs).to.equal(7 * DAY);
    expect(() => loadConfig({ INTERCEPT_VERIFY_INTERVAL_MINUTES: '40000' })).to.throw(ConfigError, /INTERCEPT_VERIFY_INTERVAL_MINUTES/);
  });
});
