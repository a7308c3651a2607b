import { expect } from 'chai';
import { api, createUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { answerOn, call, device, register } from '../support/devices';
import { finalCode } from '../support/sipp';
import { testEnv } from '../support/test-env';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
// The bound the README states: a change made on any instance is applied by every other within 1 s
// (a notice on NATS, app/directory-sync), whatever the caches' own lifetimes.
const BOUND_MS = 1_000;

// Two controllers: A drives the calls with caches that would keep a user and its limits for a
// minute; B (another ARI application: it never sees a call) is where the operator changes them.
describe('e2e: a change through another instance reaches the call path within 1 s', function () {
  let a: AppProcess;
  let b: AppProcess;
  const bAdmin = `http://${testEnv.all.ADMIN_HOST ?? '127.0.0.1'}:${Number(testEnv.all.ADMIN_PORT) + 7}`;
  const onB = async (method: string, path: string, body?: unknown): Promise<number> =>
    (await fetch(`${bAdmin}${path}`, { method, headers: { authorization: `Bearer ${testEnv.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })).status;

  before(async function () {
    this.timeout(120_000);
    a = await AppProcess.start({ INSTANCE_ID: 'cache-a', USER_LOOKUP_CACHE_MS: '60000', CALL_POLICY_CACHE_MS: '60000' });
    b = await AppProcess.start({ INSTANCE_ID: 'cache-b', ADMIN_PORT: String(Number(testEnv.all.ADMIN_PORT) + 7), ARI_APP: 'calls-admin-only' });
  });

  after(async function () {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("given A has read alice and her limits, when B lowers her limit to 1 and then suspends her, then A applies each within 1 s (its caches would keep them for a minute)", async function () {
    this.timeout(120_000);
    const [alice, bob, carol] = await Promise.all([createUser('cd-alice'), createUser('cd-bob'), createUser('cd-carol')]);
    const [aliceDevice, aliceSecond, bobDevice, carolDevice] = [device(alice), device(alice), device(bob), device(carol)];
    for (const d of [aliceDevice, aliceSecond, bobDevice, carolDevice]) await register(d);
    // A reads alice (lookups, suspension, limits) for a first call.
    const warm = await answerOn(bobDevice, { kind: 'answer', ringMs: 50 });
    const [first] = await Promise.all([call(aliceDevice, bob.username, { holdMs: 300, audio: false }).done, warm.done]);
    expect(finalCode(first)).to.equal(200);

    expect(await onB('PUT', `/v1/users/${alice.id}/call-policy`, { maxCalls: 1 })).to.equal(200);
    await sleep(BOUND_MS);
    const bobAnswers = await answerOn(bobDevice, { kind: 'answer', ringMs: 50 });
    const up = call(aliceDevice, bob.username, { holdMs: 4000, audio: false });
    await sleep(1500);
    const second = await call(aliceSecond, carol.username, { holdMs: 300, audio: false }).done;
    expect(finalCode(second), 'the second call, over the limit B set').to.equal(486);
    const [upResult] = await Promise.all([up.done, bobAnswers.done]);
    expect(finalCode(upResult)).to.equal(200);

    expect(await onB('POST', `/v1/users/${alice.id}/suspend`, { reason: 'fraud desk on B' })).to.equal(200);
    await sleep(BOUND_MS);
    const refused = await call(aliceDevice, bob.username, { holdMs: 300, audio: false }).done;
    expect(finalCode(refused), 'a call of the user B suspended').to.equal(403);
    expect((await api('POST', `/v1/users/${alice.id}/resume`, {})).status).to.equal(200);
  });
});
