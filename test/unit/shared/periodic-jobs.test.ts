import { expect } from 'chai';
import { PeriodicJobs } from '../../../app/shared/kernel';
import { ManualTime } from '../../support/fakes/manual-scheduler';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe('periodic jobs', function () {
  it('given a job, then it runs first after firstMs, then every everyMs, never two runs at once', async function () {
    const time = new ManualTime();
    const jobs = new PeriodicJobs(time, () => undefined);
    let runs = 0;
    let release: () => void = () => undefined;
    jobs.every('slow', 1000, () => {
      runs += 1;
      return new Promise<void>((resolve) => (release = resolve));
    }, 0);
    time.advance(0);
    expect(runs).to.equal(1);
    time.advance(5000);
    await settle();
    expect(runs, 'no second run while the first is in progress').to.equal(1);
    release();
    await settle();
    time.advance(999);
    expect(runs).to.equal(1);
    time.advance(1);
    expect(runs).to.equal(2);
    release();
    await jobs.stop();
  });

  it('given a job that fails, then the failure is reported and the job runs again at its next turn; after stop, nothing runs', async function () {
    const time = new ManualTime();
    const failures: string[] = [];
    const jobs = new PeriodicJobs(time, (job, error) => failures.push(`${job}: ${(error as Error).message}`));
    let runs = 0;
    jobs.every('flaky', 100, () => {
      runs += 1;
      return Promise.reject(new Error(`run ${runs}`));
    });
    time.advance(100);
    await settle();
    time.advance(100);
    await settle();
    expect(failures).to.deep.equal(['flaky: run 1', 'flaky: run 2']);
    await jobs.stop();
    time.advance(1000);
    await settle();
    expect(runs).to.equal(2);
  });
});
