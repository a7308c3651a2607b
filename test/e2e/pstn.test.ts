import { expect } from 'chai';
import pg from 'pg';
import { createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { answerOn, call, device, register } from '../support/devices';
import { calledNumbers, carrierAnswers, carrierCalls, createCarrier, importCarrierRates, payingUser, removeAllCarriers, type TestCarrier } from '../support/pstn';
import { callRecordsOf } from '../support/records';
import { finalCode, invites } from '../support/sipp';
import { testEnv } from '../support/test-env';

// Calls to and from the phone network through carriers run here: sipp peers on loopback ports,
// each created through the admin API as a SIP trunk of its own.
describe('e2e: calls to and from the phone network through carriers', function () {
  let app: AppProcess;
  let alice: TestUser;
  let first: TestCarrier;
  let second: TestCarrier;

  before(async function () {
    // Carriers that give no progress are given up on quickly. Routing by cost alone and without
    // exploration keeps the order of the carriers fixed here (e2e/routing.test.ts covers quality).
    app = await AppProcess.start({
      CARRIER_PROGRESS_TIMEOUT_SECONDS: '2',
      RING_TIMEOUT_SECONDS: '15',
      ROUTING_STRATEGY: 'least-cost',
      ROUTING_EXPLORATION_RATE: '0',
      ROUTING_REFRESH_MS: '200',
    });
    await removeAllCarriers();
    alice = await createUser('alice');
    // 0.60 USD/min to the UK and North America, per second.
    await payingUser(alice.id, ['44,0.60,,1,1,,', '1,0.60,,1,1,,']);
    first = await createCarrier(`a-first-${Date.now().toString(36)}`);
    second = await createCarrier(`b-second-${Date.now().toString(36)}`);
    await importCarrierRates(first, ['44,0.01', '1,0.01']);
    await importCarrierRates(second, ['44,0.02', '1,0.02']);
    // The app takes new carriers in at its next refresh.
    await new Promise((resolve) => setTimeout(resolve, 500));
  });

  after(async function () {
    await app?.stop();
  });

  it('given two carriers, when alice calls a UK number, then the first carrier gets it in E.164 and the call is recorded as outbound through it', async function () {
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const carrier = await carrierAnswers(first, { kind: 'answer', ringMs: 300 });
    const [callerResult, carrierResult] = await Promise.all([call(aliceDevice, '+442071838750', { holdMs: 1500 }).done, carrier.done]);
    expect(finalCode(callerResult)).to.equal(200);
    expect(calledNumbers(carrierResult)).to.deep.equal(['+442071838750']);
    expect(carrierResult.trace, 'the carrier is shown alice\'s number').to.match(new RegExp(`From: "?${alice.username}"? <sip:\\${alice.phoneNumber}@`));
    const [record] = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length >= 1).catch((error: Error) => {
      throw new Error(`${error.message}\n${app.output.filter((line) => /"level":"(error|warn)"/.test(line)).slice(-10).join('\n')}`);
    });
    expect(record).to.include({ end_cause: 'completed', direction: 'outbound', carrier_id: first.id });
    expect(record?.attempts).to.have.length(1);
    expect(record?.attempts[0]).to.include({ carrierId: first.id, outcome: 'answered' });
    // The carrier rings (180) as soon as it gets the INVITE: a post-dial delay of a few milliseconds.
    expect(record?.attempts[0]?.pddMs).to.be.a('number').within(0, 500);
  });

  it('given the first carrier fails with 503, then the call fails over to the second, which connects it', async function () {
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const failing = await carrierAnswers(first, { kind: 'reject', ringMs: 50, code: 503 });
    const working = await carrierAnswers(second, { kind: 'answer', ringMs: 200 });
    const [callerResult, failingResult, workingResult] = await Promise.all([call(aliceDevice, '+442071838751', { holdMs: 1000 }).done, failing.done, working.done]);
    expect(finalCode(callerResult)).to.equal(200);
    expect(invites(failingResult)).to.equal(1);
    expect(calledNumbers(workingResult)).to.deep.equal(['+442071838751']);
    const records = await eventually(() => callRecordsOf(alice.id), (rows) => rows.some((row) => row.attempts.length === 2));
    const attempts = records.find((row) => row.attempts.length === 2)?.attempts;
    expect(attempts?.map((attempt) => [attempt.carrierId, attempt.outcome, attempt.sipCode])).to.deep.equal([
      [first.id, 'congestion', 503],
      [second.id, 'answered', undefined],
    ]);
  });

  it('given the callee is busy (486), then the call is not retried on another carrier and alice gets 486', async function () {
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const busy = await carrierAnswers(first, { kind: 'reject', ringMs: 50, code: 486 });
    const other = await carrierAnswers(second, { kind: 'answer', ringMs: 100 });
    const [callerResult] = await Promise.all([call(aliceDevice, '+442071838752').done, busy.done]);
    other.kill();
    const otherResult = await other.done;
    expect(finalCode(callerResult)).to.equal(486);
    expect(invites(otherResult), 'the second carrier was never tried').to.equal(0);
  });

  it('given the first carrier says nothing at all, then after the progress timeout the second carrier gets the call', async function () {
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const silent = await carrierAnswers(first, { kind: 'silent', timeoutMs: 6000 });
    const working = await carrierAnswers(second, { kind: 'answer', ringMs: 100 });
    const started = Date.now();
    const [callerResult, , workingResult] = await Promise.all([call(aliceDevice, '+442071838753', { holdMs: 500 }).done, silent.done, working.done]);
    expect(finalCode(callerResult)).to.equal(200);
    expect(invites(workingResult)).to.equal(1);
    expect(Date.now() - started).to.be.greaterThan(2000);
  });

  it('given alice dials a national number, then it is read in her own country (+1) and sent in E.164', async function () {
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const carrier = await carrierAnswers(first, { kind: 'answer', ringMs: 100 });
    const [callerResult, carrierResult] = await Promise.all([call(aliceDevice, '6505550142', { holdMs: 500 }).done, carrier.done]);
    expect(finalCode(callerResult)).to.equal(200);
    expect(calledNumbers(carrierResult)).to.deep.equal(['+16505550142']);
  });

  it('given alice dials an invalid number, then she gets 484 and nothing is reserved or billed', async function () {
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const result = await call(aliceDevice, '+99912').done;
    expect(finalCode(result)).to.equal(484);
    // Records are written asynchronously: the earlier tests' may still be arriving, so this call's
    // record is found by its code (the only 484 of alice) rather than by counting.
    const records = await eventually(() => callRecordsOf(alice.id), (rows) => rows.some((row) => row.sip_code === 484));
    expect(records.filter((row) => row.sip_code === 484)).to.have.length(1);
    expect(records.find((row) => row.sip_code === 484)).to.include({ end_cause: 'no_route', talk_ms: 0 });
  });

  it('given a call from the phone network to one of our numbers, then the user who owns it rings; an unknown number gets 404', async function () {
    const bob = await createUser('bob');
    const bobDevice = device(bob);
    await register(bobDevice);
    const bobAnswers = await answerOn(bobDevice, { kind: 'answer', ringMs: 200 });
    const inbound = await carrierCalls(first, bob.phoneNumber.replace('+', ''), '+442071838799');
    const bobResult = await bobAnswers.done;
    expect(finalCode(inbound), inbound.errors).to.equal(200);
    expect(invites(bobResult)).to.equal(1);
    expect(bobResult.trace).to.include('+442071838799');

    const unknown = await carrierCalls(first, '14155550000', '+442071838799');
    expect(finalCode(unknown)).to.equal(404);
  });

  it('given calls from the phone network with caller ids that are no E.164 number (anonymous, 30 digits), then the owner of the number rings and each call gets its record', async function () {
    const bob = await createUser('bob');
    const bobDevice = device(bob);
    await register(bobDevice);
    for (const [from, stored] of [
      ['anonymous', 'anonymous'],
      ['999123456789012345678901234567', '9991234567890123'],
    ] as const) {
      const bobAnswers = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
      const inbound = await carrierCalls(first, bob.phoneNumber.replace('+', ''), from, 300);
      await bobAnswers.done;
      expect(finalCode(inbound), `${from}: ${inbound.errors}`).to.equal(200);
      const records = await eventually(() => inboundRecordsOf(bob.id), (rows) => rows.some((row) => row.caller_number === stored));
      expect(records.find((row) => row.caller_number === stored)).to.include({ direction: 'inbound', end_cause: 'completed' });
    }
  });
});

async function inboundRecordsOf(calleeUserId: string): Promise<{ caller_number: string; direction: string; end_cause: string }[]> {
  const client = new pg.Client({ connectionString: testEnv.databaseUrl });
  await client.connect();
  try {
    return (await client.query('SELECT caller_number, direction, end_cause FROM call_records WHERE callee_user_id = $1', [calleeUserId])).rows as never;
  } finally {
    await client.end();
  }
}
