import { expect } from 'chai';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { answerOn, call, device, register, type Device } from '../support/devices';
import { callRecordsOf, type CallRecordRow } from '../support/records';
import { finalCode, statusCodes } from '../support/sipp';

// Suspension, resume, deletion and password change of a user through the admin API, with live
// calls through the real switch.
describe('e2e: suspended and deleted users, password change', function () {
  let app: AppProcess;

  before(async function () {
    app = await AppProcess.start();
  });

  after(async function () {
    await app?.stop();
  });

  // alice calls bob, who answers and stays until the platform hangs up; resolves once it is answered.
  async function liveCall(alice: TestUser, aliceDevice: Device, bobDevice: Device, bob: TestUser) {
    const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const caller = call(aliceDevice, bob.username, { hangup: 'callee', holdMs: 30_000, audio: false });
    await eventually(async () => (await api('GET', `/v1/calls?user=${alice.id}`)).body, (body) => JSON.stringify(body).includes('"state":"answered"'));
    return { done: Promise.all([caller.done, callee.done]) };
  }

  const endedWithin = (record: CallRecordRow | undefined, since: number, ms: number): boolean => record !== undefined && record.ended_at.getTime() - since <= ms;

  it('given a live call, when the caller is suspended, then the call is hung up within 1 s, the next call is refused with 403, and after resume calls go through', async function () {
    const [alice, bob] = await Promise.all([createUser('alice'), createUser('bob')]);
    const [aliceDevice, bobDevice] = [device(alice), device(bob)];
    await register(aliceDevice);
    await register(bobDevice);
    const live = await liveCall(alice, aliceDevice, bobDevice, bob);
    const suspendedAt = Date.now();
    const suspended = await api('POST', `/v1/users/${alice.id}/suspend`, { reason: 'fraud desk: premium-rate spike' });
    expect(suspended.status).to.equal(200);
    expect(suspended.body).to.include({ id: alice.id, suspended: true, suspensionReason: 'fraud desk: premium-rate spike' });
    expect(suspended.body.suspendedAt).to.be.a('string');
    await live.done;
    const [record] = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length >= 1);
    expect(record).to.include({ end_cause: 'terminated', end_reason: 'user_suspended' });
    expect(endedWithin(record, suspendedAt, 1000), `ended ${(record?.ended_at.getTime() ?? 0) - suspendedAt} ms after the suspension`).to.equal(true);

    // Still registered (devices may register), but refused.
    expect(statusCodes(await register(aliceDevice)).at(-1)).to.equal(200);
    expect(finalCode(await call(aliceDevice, bob.username).done)).to.equal(403);
    const refused = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length >= 2);
    expect(refused[1]).to.include({ end_cause: 'suspended', end_reason: 'caller_suspended', sip_code: 403 });
    // Calls to a suspended user are refused too.
    expect(finalCode(await call(bobDevice, alice.username).done)).to.equal(403);

    const resumed = await api('POST', `/v1/users/${alice.id}/resume`, { reason: 'cleared' });
    expect(resumed.status).to.equal(200);
    expect(resumed.body).to.include({ suspended: false });
    const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const [afterResume] = await Promise.all([call(aliceDevice, bob.username, { holdMs: 500 }).done, callee.done]);
    expect(finalCode(afterResume)).to.equal(200);
  });

  it('given a live call, when the caller is deleted, then the call ends at once', async function () {
    const [alice, bob] = await Promise.all([createUser('alice'), createUser('bob')]);
    const [aliceDevice, bobDevice] = [device(alice), device(bob)];
    await register(aliceDevice);
    await register(bobDevice);
    const live = await liveCall(alice, aliceDevice, bobDevice, bob);
    const deletedAt = Date.now();
    expect((await api('DELETE', `/v1/users/${alice.id}`)).status).to.equal(204);
    await live.done;
    const [record] = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length >= 1);
    expect(record).to.include({ end_cause: 'terminated', end_reason: 'user_deleted' });
    expect(endedWithin(record, deletedAt, 1000)).to.equal(true);
  });

  it('given a password change, then the old password is refused at once and the new one registers', async function () {
    const carol = await createUser('carol');
    const carolDevice = device(carol);
    expect(statusCodes(await register(carolDevice)).at(-1)).to.equal(200);
    const changed = await api('PUT', `/v1/users/${carol.id}/password`, { password: 'a-brand-new-secret' });
    expect(changed.status).to.equal(204);
    expect(statusCodes(await register(carolDevice)).at(-1), 'the old password').to.not.equal(200);
    expect(statusCodes(await register(carolDevice, { password: 'a-brand-new-secret' })).at(-1)).to.equal(200);
    const tooShort = await api('PUT', `/v1/users/${carol.id}/password`, { password: 'short' });
    expect(tooShort.status).to.equal(400);
  });
});
