import { expect } from 'chai';
import { createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { call, device, register } from '../support/devices';
import { carrierAnswers, createCarrier, importCarrierRates, payingUser, removeAllCarriers, type TestCarrier } from '../support/pstn';
import { callRecordsOf } from '../support/records';
import { captureUdp, packetsTo } from '../support/rtp-capture';
import { finalCode, invites, statusCodes } from '../support/sipp';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Carriers that say 183 Session Progress with SDP (early media: ringback or an announcement from the
// far network) and never 180 Ringing, as many mobile and international routes do.
describe('e2e: carriers that answer with early media (183) and never ring (180)', function () {
  let app: AppProcess;
  let alice: TestUser;
  let first: TestCarrier;
  let second: TestCarrier;

  before(async function () {
    app = await AppProcess.start({
      CARRIER_PROGRESS_TIMEOUT_SECONDS: '2',
      RING_TIMEOUT_SECONDS: '15',
      ROUTING_STRATEGY: 'least-cost',
      ROUTING_EXPLORATION_RATE: '0',
      ROUTING_REFRESH_MS: '200',
    });
    await removeAllCarriers();
    alice = await createUser('alice');
    await payingUser(alice.id, ['44,0.60,,1,1,,']);
    first = await createCarrier(`a-early-${Date.now().toString(36)}`);
    second = await createCarrier(`b-backup-${Date.now().toString(36)}`);
    await importCarrierRates(first, ['44,0.01']);
    await importCarrierRates(second, ['44,0.02']);
    await new Promise((resolve) => setTimeout(resolve, 500));
  });

  after(async function () {
    await app?.stop();
  });

  it('given the first carrier answers 183 with early media and 200 only 4 s later, then it is kept past the 2 s progress timeout: alice hears its early media, is connected through it, and the post-dial delay is recorded', async function () {
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const early = await carrierAnswers(first, { kind: 'early-media', answerAfterMs: 4000 });
    const backup = await carrierAnswers(second, { kind: 'answer', ringMs: 100 });
    const capture = await captureUdp([aliceDevice.mediaPort]);
    const caller = call(aliceDevice, '+442071838760', { holdMs: 1000 });
    await sleep(3500); // the first carrier has not answered yet
    const beforeAnswer = await capture.stop();
    const [callerResult, earlyResult] = await Promise.all([caller.done, early.done]);
    backup.kill();
    const backupResult = await backup.done;

    expect(invites(backupResult), 'the backup carrier was never tried').to.equal(0);
    expect(finalCode(callerResult), callerResult.errors).to.equal(200);
    expect(earlyResult.received.some((line) => line.startsWith('BYE ')), 'the call went through the first carrier').to.equal(true);
    expect(statusCodes(callerResult), 'alice was told of the progress').to.include(183);
    expect(packetsTo(beforeAnswer, aliceDevice.mediaPort), 'early media reached alice before the answer').to.be.greaterThan(50);
    const records = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length >= 1);
    const record = records.at(-1);
    expect(record).to.include({ end_cause: 'completed', carrier_id: first.id });
    expect(record?.attempts).to.have.length(1);
    expect(record?.attempts[0]?.pddMs, 'post-dial delay up to the 183').to.be.a('number').within(0, 1000);
  });
});
