import { expect } from 'chai';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { channelsOf, eventually } from '../support/ari';
import { answerOn, call, device, register } from '../support/devices';
import { captureUdp, packetsFrom, packetsTo } from '../support/rtp-capture';
import { statusCodes } from '../support/sipp';
import { testEnv } from '../support/test-env';

// One real VoIP call between two users created through the admin API, registered with their
// passwords, bridged by the controller in a real Asterisk; sipp plays G.711 audio and echoes it.
describe('e2e: a call between two registered users', function () {
  let app: AppProcess;
  let alice: TestUser;
  let bob: TestUser;

  before(async function () {
    app = await AppProcess.start();
    [alice, bob] = await Promise.all([createUser('alice'), createUser('bob')]);
  });

  after(async function () {
    await app?.stop();
  });

  it('given both users registered, when alice calls bob by username, then RTP flows both ways through Asterisk and both legs end when alice hangs up', async function () {
    const aliceDevice = device(alice);
    const bobDevice = device(bob);
    expect(statusCodes(await register(aliceDevice))).to.deep.equal([401, 200]);
    expect(statusCodes(await register(bobDevice))).to.deep.equal([401, 200]);

    const capture = await captureUdp([aliceDevice.mediaPort, bobDevice.mediaPort]);
    const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 300 });
    const caller = call(aliceDevice, bob.username, { hangup: 'caller', holdMs: 4000 });
    const [callerResult, calleeResult] = await Promise.all([caller.done, callee.done]);
    const flows = await capture.stop();

    expect(callerResult.exitCode, callerResult.errors).to.equal(0);
    expect(statusCodes(callerResult)).to.include.members([180, 200]);
    expect(calleeResult.exitCode, calleeResult.errors).to.equal(0);
    // bob's device got the BYE once alice hung up
    expect(calleeResult.received.some((line) => line.startsWith('BYE '))).to.equal(true);
    // alice's audio reached bob through Asterisk, and bob's echo came back to alice
    expect(packetsFrom(flows, aliceDevice.mediaPort), 'RTP sent by alice').to.be.greaterThan(50);
    expect(packetsTo(flows, bobDevice.mediaPort), 'RTP received by bob').to.be.greaterThan(50);
    expect(packetsFrom(flows, bobDevice.mediaPort), 'RTP sent back by bob').to.be.greaterThan(50);
    expect(packetsTo(flows, aliceDevice.mediaPort), 'RTP received by alice').to.be.greaterThan(50);
    await eventually(async () => [...(await channelsOf(alice.username)), ...(await channelsOf(bob.username))], (channels) => channels.length === 0);
  });

  it("then the workers' own /metrics (not the controller's) counts the ended call the call-records consumer applied, and only with the admin token", async function () {
    const consumed = async (): Promise<number> => {
      const res = await fetch(testEnv.workersMetricsUrl, { headers: { authorization: `Bearer ${testEnv.adminToken}` } });
      expect(res.status).to.equal(200);
      const line = /^events_consumed_total\{[^}]*consumer="call-records"[^}]*\} (\d+)$/m.exec(await res.text());
      return line ? Number(line[1]) : 0;
    };
    // The call above ended: its call record is written by the workers, off the call path.
    expect(await eventually(consumed, (count) => count >= 1, 15_000)).to.be.at.least(1);
    const controller = await (await fetch(`${testEnv.adminUrl}/metrics`, { headers: { authorization: `Bearer ${testEnv.adminToken}` } })).text();
    expect(controller).to.not.match(/^events_consumed_total\{[^}]*consumer="call-records"/m);
    expect((await fetch(testEnv.workersMetricsUrl)).status).to.equal(401);
    expect((await fetch(testEnv.workersMetricsUrl, { headers: { authorization: 'Bearer not-the-admin-token' } })).status).to.equal(401);
  });

  it('given both users registered, when alice calls bob by his E.164 number and bob hangs up, then both legs end', async function () {
    const aliceDevice = device(alice);
    const bobDevice = device(bob);
    await register(aliceDevice);
    await register(bobDevice);

    const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 200, hangupAfterMs: 2000 });
    const caller = call(aliceDevice, bob.phoneNumber, { hangup: 'callee', holdMs: 2000 });
    const [callerResult, calleeResult] = await Promise.all([caller.done, callee.done]);

    expect(calleeResult.exitCode, calleeResult.errors).to.equal(0);
    expect(callerResult.exitCode, callerResult.errors).to.equal(0);
    expect(statusCodes(callerResult)).to.include(200);
    expect(callerResult.received.some((line) => line.startsWith('BYE '))).to.equal(true);
    await eventually(async () => [...(await channelsOf(alice.username)), ...(await channelsOf(bob.username))], (channels) => channels.length === 0);
  });

  it('when a device registers with a wrong password, then Asterisk refuses it and a call with that password never rings anyone', async function () {
    const aliceDevice = device(alice);
    const bobDevice = device(bob);
    const refused = await register(aliceDevice, { password: 'not-the-password' });
    expect(refused.exitCode).to.not.equal(0);
    expect(statusCodes(refused)).to.not.include(200);
    expect(statusCodes(refused).filter((code) => code === 401 || code === 403)).to.have.length.greaterThan(1);

    await register(bobDevice);
    const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const caller = call(aliceDevice, bob.username, { password: 'not-the-password' });
    const result = await caller.done;
    callee.kill();
    const calleeResult = await callee.done;
    expect(statusCodes(result)).to.not.include(200);
    expect(statusCodes(result).slice(-1)[0]).to.be.oneOf([401, 403]);
    expect(calleeResult.received.filter((line) => line.startsWith('INVITE'))).to.have.length(0);
  });

  it('when alice dials a number nobody has, then she gets 404', async function () {
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const result = await call(aliceDevice, '+14155550000').done;
    expect(statusCodes(result).slice(-1)[0]).to.equal(404);
  });

  it('when alice calls a user with no registered device, then she gets 480', async function () {
    const carol = await createUser('carol');
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const result = await call(aliceDevice, carol.username).done;
    expect(statusCodes(result).slice(-1)[0]).to.equal(480);
  });

  it('when a user is deleted through the admin API, then the user can no longer register or call', async function () {
    const dave = await createUser('dave');
    const daveDevice = device(dave);
    expect(statusCodes(await register(daveDevice))).to.include(200);

    expect((await api('DELETE', `/v1/users/${dave.id}`)).status).to.equal(204);

    const again = await register(daveDevice);
    expect(again.exitCode).to.not.equal(0);
    expect(statusCodes(again)).to.not.include(200);
    const bobDevice = device(bob);
    await register(bobDevice);
    const result = await call(daveDevice, bob.username).done;
    expect(statusCodes(result)).to.not.include(200);
    expect(statusCodes(result).slice(-1)[0]).to.be.oneOf([401, 403]);
  });
});
