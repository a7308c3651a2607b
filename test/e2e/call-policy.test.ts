import { expect } from 'chai';
import pg from 'pg';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { answerOn, call, device, register } from '../support/devices';
import { carrierAnswers, createCarrier, importCarrierRates, payingUser, removeAllCarriers, type TestCarrier } from '../support/pstn';
import { callRecordsOf } from '../support/records';
import { finalCode, invites } from '../support/sipp';
import { testEnv } from '../support/test-env';

async function answeredCallsOf(user: TestUser): Promise<number> {
  const { body } = await api('GET', `/v1/calls?user=${user.id}`);
  return ((body.calls ?? []) as { state: string }[]).filter((live) => live.state === 'answered').length;
}

// The call admission rules through the real switch: a per-user concurrent-call limit, the
// destination blocklist and the daily spend cap, each refusal with its own end cause.
describe('e2e: per-user call limits and fraud caps', function () {
  let app: AppProcess;
  let carrier: TestCarrier;

  before(async function () {
    app = await AppProcess.start({ CALL_POLICY_CACHE_MS: '0', ROUTING_REFRESH_MS: '200', ROUTING_EXPLORATION_RATE: '0', ROUTING_STRATEGY: 'least-cost' });
    await removeAllCarriers();
    carrier = await createCarrier(`p-carrier-${Date.now().toString(36)}`);
    await importCarrierRates(carrier, ['44,0.01', '1,0.01']);
    await new Promise((resolve) => setTimeout(resolve, 500));
  });

  after(async function () {
    await app?.stop();
  });

  it('given a limit of 2 calls, when alice makes a third while two are up, then it is refused with 486 (cause call_limit) without ringing anyone, and once they end she can call again', async function () {
    const [alice, bob, carol, dave] = await Promise.all([createUser('alice'), createUser('bob'), createUser('carol'), createUser('dave')]);
    const set = await api('PUT', `/v1/users/${alice.id}/call-policy`, { maxCalls: 2 });
    expect(set.status).to.equal(200);
    expect(set.body).to.deep.include({ own: { maxCalls: 2, clir: false } });
    const [aliceDevice, bobDevice, carolDevice, daveDevice] = [device(alice), device(bob), device(carol), device(dave)];
    for (const dev of [aliceDevice, bobDevice, carolDevice, daveDevice]) await register(dev);
    // alice's two calls come from two of her devices (each sipp caller is its own device).
    const aliceSecond = device(alice);
    await register(aliceSecond);
    const bobAnswers = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const carolAnswers = await answerOn(carolDevice, { kind: 'answer', ringMs: 100 });
    const first = call(aliceDevice, bob.username, { holdMs: 5000 });
    const second = call(aliceSecond, carol.username, { holdMs: 5000 });
    await eventually(() => answeredCallsOf(alice), (count) => count === 2);
    const daveRings = await answerOn(daveDevice, { kind: 'answer', ringMs: 100 });
    const aliceThird = device(alice);
    await register(aliceThird);
    expect(finalCode(await call(aliceThird, dave.username).done)).to.equal(486);
    await Promise.all([first.done, second.done, bobAnswers.done, carolAnswers.done]);
    const refused = (await eventually(() => callRecordsOf(alice.id), (rows) => rows.length >= 3)).find((row) => row.sip_code === 486);
    expect(refused).to.include({ end_cause: 'call_limit', end_reason: 'concurrent_calls' });
    // Nothing was reserved for the refused call: with both calls ended, a new one goes through.
    const [again] = await Promise.all([call(aliceThird, dave.username, { holdMs: 500 }).done, daveRings.done]);
    expect(finalCode(again)).to.equal(200);
  });

  it('given a limit of 1 call of all kinds, when bob calls alice and she answers, then her own call meanwhile is refused with 486 and a third user calling her gets 486 too; once it ends she can call again', async function () {
    this.timeout(90_000);
    const [alice, bob, carol, dave] = await Promise.all([createUser('in-alice'), createUser('in-bob'), createUser('in-carol'), createUser('in-dave')]);
    expect((await api('PUT', `/v1/users/${alice.id}/call-policy`, { maxCalls: 1 })).status).to.equal(200);
    const [aliceDevice, aliceSecond, bobDevice, carolDevice, daveDevice] = [device(alice), device(alice), device(bob), device(carol), device(dave)];
    for (const d of [aliceDevice, aliceSecond, bobDevice, carolDevice, daveDevice]) await register(d);
    const aliceAnswers = await answerOn(aliceDevice, { kind: 'answer', ringMs: 50 });
    const incoming = call(bobDevice, alice.username, { holdMs: 5000, audio: false });
    await eventually(() => answeredCallsOf(bob), (n) => n === 1, 10_000);
    const own = await call(aliceSecond, carol.username, { holdMs: 300, audio: false }).done;
    expect(finalCode(own), 'alice calling while she takes a call').to.equal(486);
    const toHer = await call(daveDevice, alice.username, { holdMs: 300, audio: false }).done;
    expect(finalCode(toHer), 'dave calling alice while she is on a call').to.equal(486);
    await Promise.all([incoming.done, aliceAnswers.done]);
    const carolAnswers = await answerOn(carolDevice, { kind: 'answer', ringMs: 50 });
    const [after] = await Promise.all([call(aliceSecond, carol.username, { holdMs: 300, audio: false }).done, carolAnswers.done]);
    expect(finalCode(after), 'her slot came back when the received call ended').to.equal(200);
  });

  it('given a limit of 2 and two calls up, when their controller is SIGKILLed, then after the restart a third call is still refused, and the slots come back as soon as the two calls end', async function () {
    this.timeout(120_000);
    const [alice, bob, carol, dave] = await Promise.all([createUser('alice'), createUser('bob'), createUser('carol'), createUser('dave')]);
    await api('PUT', `/v1/users/${alice.id}/call-policy`, { maxCalls: 2 });
    const [aliceOne, aliceTwo, aliceThree, bobDevice, carolDevice, daveDevice] = [device(alice), device(alice), device(alice), device(bob), device(carol), device(dave)];
    for (const dev of [aliceOne, aliceTwo, aliceThree, bobDevice, carolDevice, daveDevice]) await register(dev);
    const bobAnswers = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const carolAnswers = await answerOn(carolDevice, { kind: 'answer', ringMs: 100 });
    const first = call(aliceOne, bob.username, { holdMs: 15_000, audio: false });
    const second = call(aliceTwo, carol.username, { holdMs: 15_000, audio: false });
    await eventually(() => answeredCallsOf(alice), (count) => count === 2);
    await app.stop('SIGKILL');
    app = await AppProcess.start({ CALL_POLICY_CACHE_MS: '0', ROUTING_REFRESH_MS: '200', ROUTING_EXPLORATION_RATE: '0', ROUTING_STRATEGY: 'least-cost' });
    const daveRings = await answerOn(daveDevice, { kind: 'answer', ringMs: 100 });
    expect(finalCode(await call(aliceThree, dave.username).done), 'the adopted calls still hold their slots').to.equal(486);
    await Promise.all([first.done, second.done, bobAnswers.done, carolAnswers.done]);
    const endedAt = Date.now();
    const [again] = await Promise.all([call(aliceThree, dave.username, { holdMs: 500 }).done, daveRings.done]);
    expect(finalCode(again), 'the slots came back when the calls ended').to.equal(200);
    expect(Date.now() - endedAt, 'not after a slot timeout').to.be.below(20_000);
    const records = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length >= 4);
    expect(records.filter((row) => row.end_cause === 'call_limit')).to.have.length(1);
  });

  it('given a blocked premium-rate prefix, when a paying user dials a number in it, then 403 (cause blocked_destination) and the carrier never sees an INVITE', async function () {
    const alice = await createUser('alice');
    await payingUser(alice.id, ['44,0.60,,1,1,,']);
    const blocked = await api('POST', '/v1/blocked-prefixes', { prefix: '+44909', reason: 'UK premium rate' });
    expect(blocked.status).to.equal(201);
    const listed = await api('GET', '/v1/blocked-prefixes');
    expect(JSON.stringify(listed.body.added)).to.include('+44909');
    expect(listed.body.configured).to.include('+881');
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const watching = await carrierAnswers(carrier, { kind: 'answer', ringMs: 100 });
    const result = await call(aliceDevice, '+449098790000').done;
    watching.kill();
    expect(finalCode(result)).to.equal(403);
    expect(invites(await watching.done), 'the carrier saw nothing').to.equal(0);
    const [record] = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length >= 1);
    expect(record).to.include({ end_cause: 'blocked_destination', end_reason: 'blocked_prefix', sip_code: 403 });
    expect((await api('DELETE', `/v1/blocked-prefixes/${encodeURIComponent('+44909')}`)).status).to.equal(204);
  });

  it('given a daily spend cap of 1 cent, when a call has cost more, then the next call is refused with 403 (cause spend_cap) before any carrier is tried', async function () {
    const alice = await createUser('alice');
    await payingUser(alice.id, ['44,0.60,,1,1,,']);
    expect((await api('PUT', `/v1/users/${alice.id}/call-policy`, { dailySpendCapMinor: 1 })).status).to.equal(200);
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const answering = await carrierAnswers(carrier, { kind: 'answer', ringMs: 100 });
    const [paid] = await Promise.all([call(aliceDevice, '+442071838750', { holdMs: 3000 }).done, answering.done]);
    expect(finalCode(paid)).to.equal(200);
    // Settled by billing once the call's end is consumed: 10.00 less about 3 cents.
    await eventually(async () => (await api('GET', `/v1/users/${alice.id}/balance`)).body, (body) => Number(body.balance) < 10 && Number(body.reserved) === 0);
    const watching = await carrierAnswers(carrier, { kind: 'answer', ringMs: 100 });
    const refused = await call(aliceDevice, '+442071838751').done;
    watching.kill();
    expect(finalCode(refused)).to.equal(403);
    expect(invites(await watching.done)).to.equal(0);
    const records = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length >= 2);
    expect(records[1]).to.include({ end_cause: 'spend_cap', end_reason: 'daily_spend_cap' });
  });

  it('given a user who withholds its number (CLIR), when it calls the phone network, then the carrier sees From anonymous but the real number in P-Asserted-Identity, and the record keeps it', async function () {
    const alice = await createUser('alice');
    await payingUser(alice.id, ['44,0.60,,1,1,,']);
    expect((await api('PUT', `/v1/users/${alice.id}/call-policy`, { clir: true })).body).to.deep.include({ own: { clir: true } });
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const answering = await carrierAnswers(carrier, { kind: 'answer', ringMs: 100 });
    const [result, carrierResult] = await Promise.all([call(aliceDevice, '+442071838760', { holdMs: 500 }).done, answering.done]);
    expect(finalCode(result)).to.equal(200);
    const invite = carrierResult.trace.slice(carrierResult.trace.indexOf('INVITE sip:'));
    expect(/^From:[^\n]*anonymous/im.test(invite), 'From is anonymous').to.equal(true);
    expect(invite).to.not.match(new RegExp(`^From:[^\\n]*\\${alice.phoneNumber}`, 'im'));
    expect(invite).to.match(new RegExp(`^P-Asserted-Identity:[^\\n]*\\${alice.phoneNumber}`, 'im'));
    expect(invite).to.match(/^Privacy: id/im);
    const [record] = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length >= 1);
    expect(record).to.include({ end_cause: 'completed' });
    expect(await callerNumberOf(record?.call_id ?? '')).to.equal(alice.phoneNumber);
  });
});

async function callerNumberOf(callId: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: testEnv.databaseUrl });
  await client.connect();
  try {
    return ((await client.query('SELECT caller_number FROM call_records WHERE call_id = $1', [callId])).rows[0] as { caller_number?: string } | undefined)?.caller_number;
  } finally {
    await client.end();
  }
}

