import { expect } from 'chai';
import { AppProcess } from '../support/app-process';
import { testEnv } from '../support/test-env';

describe('e2e: one running controller per instance id', function () {
  const started: AppProcess[] = [];

  afterEach(async function () {
    await Promise.all(started.splice(0).map((app) => app.stop()));
  });

  it('given a running controller, when a second one starts with the same INSTANCE_ID, then it refuses to start with a clear error and the first keeps running', async function () {
    this.timeout(90_000);
    started.push(await AppProcess.start({ INSTANCE_ID: 'controller-e2e' }));
    // Ports of its own: its workers' /metrics would default to ADMIN_PORT + 1 (here the profile's ARI port).
    const error = await AppProcess.start({ INSTANCE_ID: 'controller-e2e', ADMIN_PORT: String(Number(testEnv.all.ADMIN_PORT) + 7), WORKERS_METRICS_PORT: String(Number(testEnv.all.ADMIN_PORT) + 6) }).then(
      (second) => {
        started.push(second);
        return expect.fail('the second controller started');
      },
      (caught: unknown) => caught as Error,
    );
    expect(error.message).to.include('app exited (1)');
    expect(error.message).to.include("calling platform failed to start: INSTANCE_ID 'controller-e2e' is in use by another running controller");
    expect((await fetch(`${testEnv.adminUrl}/healthz`)).status).to.equal(200);
  });

  it('given a controller stopped gracefully, then a new one on its instance id starts at once', async function () {
    this.timeout(90_000);
    const first = await AppProcess.start({ INSTANCE_ID: 'controller-e2e' });
    await first.stop();
    const restartedAt = Date.now();
    started.push(await AppProcess.start({ INSTANCE_ID: 'controller-e2e' }));
    expect(started.at(-1)?.logLines('instance id held: waiting for its lease to expire'), 'no wait for a lease').to.have.length(0);
    expect(Date.now() - restartedAt).to.be.below(30_000);
  });
});
