import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { api, createUser, type TestUser, uniqueUsername } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { call, device, register } from '../support/devices';
import { calledNumbers, carrierAnswers, createCarrier, importCarrierRates, removeAllCarriers, type TestCarrier } from '../support/pstn';
import { callRecordsOf } from '../support/records';
import { finalCode, invites } from '../support/sipp';
import { TcpProxy } from '../support/tcp-proxy';
import { testEnv } from '../support/test-env';

// A user with a Berlin number: their national emergency number is 112.
async function germanUser(): Promise<TestUser> {
  const input = { username: uniqueUsername('dieter'), password: `pw-${randomInt(1e8, 1e9)}`, phoneNumber: `+4930${randomInt(1e7, 1e8)}` };
  const res = await api('POST', '/v1/users', input);
  if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...input, id: String(res.body.id) };
}

const presented = (trace: string, user: TestUser): boolean => new RegExp(`From: "?${user.username}"? <sip:\\${user.phoneNumber}@`).test(trace);

// Emergency calls through the real switch: sipp peers as the emergency carriers of the US and of
// Germany, callers with no credit at all (no plan, no balance).
describe('e2e: emergency calls always connect', function () {
  let app: AppProcess;
  let usFirst: TestCarrier;
  let usSecond: TestCarrier;
  let germany: TestCarrier;

  before(async function () {
    app = await AppProcess.start({ EMERGENCY_CARRIER_REFRESH_MS: '200', ROUTING_REFRESH_MS: '200', ROUTING_EXPLORATION_RATE: '0', CARRIER_PROGRESS_TIMEOUT_SECONDS: '3', RING_TIMEOUT_SECONDS: '15' });
    await removeAllCarriers();
    // Tried in name order.
    usFirst = await createCarrier(`e1-us-${Date.now().toString(36)}`, { emergency: true, emergencyCountries: ['US', 'CA'] });
    usSecond = await createCarrier(`e2-us-${Date.now().toString(36)}`, { emergency: true, emergencyCountries: ['US'] });
    germany = await createCarrier(`e3-de-${Date.now().toString(36)}`, { emergency: true, emergencyCountries: ['DE'] });
    // An ordinary carrier, so that a paid call finds a route and is refused by billing alone.
    await importCarrierRates(await createCarrier(`r-retail-${Date.now().toString(36)}`, { allowAboveRetail: true }), ['44,0.01']);
    // The app reads emergency carriers into memory at its next refresh.
    await new Promise((resolve) => setTimeout(resolve, 800));
  });

  after(async function () {
    await app?.stop();
  });

  it('given a US user with no credit (a paid call is refused), when they dial 911, then the first US emergency carrier gets 911 with their E.164 number, the call lasts past any credit, and the record says emergency, free', async function () {
    const alice = await createUser('alice');
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const paid = await call(aliceDevice, '+442071838750').done;
    expect(finalCode(paid), 'an ordinary paid call is refused').to.be.oneOf([402, 403]);

    const carrier = await carrierAnswers(usFirst, { kind: 'answer', ringMs: 200 });
    const [callerResult, carrierResult] = await Promise.all([call(aliceDevice, '911', { holdMs: 4000 }).done, carrier.done]);
    expect(finalCode(callerResult), callerResult.errors).to.equal(200);
    expect(calledNumbers(carrierResult)).to.deep.equal(['911']);
    expect(presented(carrierResult.trace, alice), "the carrier is shown alice's own number").to.equal(true);
    const records = await eventually(() => callRecordsOf(alice.id), (rows) => rows.some((row) => row.emergency));
    const record = records.find((row) => row.emergency);
    expect(record).to.include({ end_cause: 'completed', direction: 'outbound', carrier_id: usFirst.id });
    expect(record?.talk_ms, 'held for the full 4 s, never cut off').to.be.within(3500, 6000);
    const balance = await api('GET', `/v1/users/${alice.id}/balance`);
    expect(Number(balance.body.balance ?? 0), 'nothing charged').to.equal(0);
    expect(Number(balance.body.reserved ?? 0), 'nothing reserved').to.equal(0);
  });

  it('given a German user with no credit, when they dial 112, then the German emergency carrier gets 112 with their E.164 number; 911 from Germany goes there too, as 112', async function () {
    const dieter = await germanUser();
    const dieterDevice = device(dieter);
    await register(dieterDevice);
    for (const dialed of ['112', '911']) {
      const carrier = await carrierAnswers(germany, { kind: 'answer', ringMs: 100 });
      const [callerResult, carrierResult] = await Promise.all([call(dieterDevice, dialed, { holdMs: 1000 }).done, carrier.done]);
      expect(finalCode(callerResult), `${dialed}: ${callerResult.errors}`).to.equal(200);
      expect(calledNumbers(carrierResult)).to.deep.equal(['112']);
      expect(presented(carrierResult.trace, dieter)).to.equal(true);
    }
  });

  it('given a suspended US user and a suspended German user, when they dial 911 and 112, then each reaches their emergency carrier with their own E.164 number, while an ordinary call is refused', async function () {
    const us = await createUser('sam');
    const de = await germanUser();
    for (const [user, dialed, carrier, sent] of [
      [us, '911', usFirst, '911'],
      [de, '112', germany, '112'],
    ] as const) {
      expect((await api('POST', `/v1/users/${user.id}/suspend`, { reason: 'e2e' })).status).to.equal(200);
      const userDevice = device(user);
      await register(userDevice);
      expect(finalCode(await call(userDevice, '+442071838750').done), 'an ordinary call').to.equal(403);
      const answering = await carrierAnswers(carrier, { kind: 'answer', ringMs: 100 });
      const [callerResult, carrierResult] = await Promise.all([call(userDevice, dialed, { holdMs: 1000 }).done, answering.done]);
      expect(finalCode(callerResult), `${user.phoneNumber} ${dialed}: ${callerResult.errors}`).to.equal(200);
      expect(calledNumbers(carrierResult)).to.deep.equal([sent]);
      expect(presented(carrierResult.trace, user)).to.equal(true);
    }
  });

  it('given the first US emergency carrier answers 503, then the second gets the call and connects it', async function () {
    const bob = await createUser('bob');
    const bobDevice = device(bob);
    await register(bobDevice);
    const failing = await carrierAnswers(usFirst, { kind: 'reject', ringMs: 50, code: 503 });
    const working = await carrierAnswers(usSecond, { kind: 'answer', ringMs: 100 });
    const [callerResult, failingResult, workingResult] = await Promise.all([call(bobDevice, '911', { holdMs: 1000 }).done, failing.done, working.done]);
    expect(finalCode(callerResult)).to.equal(200);
    expect(invites(failingResult)).to.equal(1);
    expect(calledNumbers(workingResult)).to.deep.equal(['911']);
    expect(presented(workingResult.trace, bob)).to.equal(true);
    const [record] = await eventually(() => callRecordsOf(bob.id), (rows) => rows.length >= 1);
    expect(record?.attempts.map((attempt) => [attempt.carrierId, attempt.outcome])).to.deep.equal([
      [usFirst.id, 'congestion'],
      [usSecond.id, 'answered'],
    ]);
  });

  it('given a country with no emergency carrier (a UK user dials 999), then the call fails with 503 and the alarm metric counts it', async function () {
    const input = { username: uniqueUsername('george'), password: `pw-${randomInt(1e8, 1e9)}`, phoneNumber: `+4420${randomInt(7e7, 8e7)}` };
    const res = await api('POST', '/v1/users', input);
    expect(res.status).to.equal(201);
    const georgeDevice = device(input);
    await register(georgeDevice);
    const result = await call(georgeDevice, '999').done;
    expect(finalCode(result)).to.equal(503);
    const text = await metricsText();
    expect(text).to.match(/^emergency_calls_unroutable_total\{country="GB",node="[^"]+"\} [1-9]/m);
  });
});

async function metricsText(): Promise<string> {
  const res = await fetch(`${testEnv.adminUrl}/metrics`, { headers: { authorization: `Bearer ${testEnv.adminToken}` } });
  return res.text();
}

// The call store and the outbox live in Redis: with Redis unreachable an ordinary call fails, an
// emergency call still connects (it waits on no store write, takes no slot, asks no billing).
describe('e2e: emergency calls while Redis is down', function () {
  let app: AppProcess;
  let proxy: TcpProxy;
  let psap: TestCarrier;

  before(async function () {
    proxy = new TcpProxy('127.0.0.1', Number(new URL(testEnv.redisUrl).port));
    await proxy.start();
    app = await AppProcess.start({ REDIS_URL: testEnv.redisUrlVia(proxy.port), EMERGENCY_CARRIER_REFRESH_MS: '200' });
    await removeAllCarriers();
    psap = await createCarrier(`e-us-${Date.now().toString(36)}`, { emergency: true, emergencyCountries: ['US'] });
    await new Promise((resolve) => setTimeout(resolve, 800));
  });

  after(async function () {
    proxy?.restore();
    await app?.stop();
    await proxy?.stop();
  });

  it('given Redis unreachable, when a user dials 911, then the emergency carrier gets it with the caller\'s number and the call connects', async function () {
    const alice = await createUser('alice');
    const aliceDevice = device(alice);
    await register(aliceDevice);
    // The user is looked up once while everything is up (the call path caches it).
    const warm = await carrierAnswers(psap, { kind: 'answer', ringMs: 50 });
    await Promise.all([call(aliceDevice, '911', { holdMs: 300 }).done, warm.done]);
    proxy.cut();
    const carrier = await carrierAnswers(psap, { kind: 'answer', ringMs: 100 });
    const [callerResult, carrierResult] = await Promise.all([call(aliceDevice, '911', { holdMs: 2000 }).done, carrier.done]);
    expect(finalCode(callerResult), callerResult.errors).to.equal(200);
    expect(calledNumbers(carrierResult)).to.deep.equal(['911']);
    expect(presented(carrierResult.trace, alice)).to.equal(true);
    expect(app.output.some((line) => line.includes('live call store write failed: kept to retry')), 'the store writes failed meanwhile').to.equal(true);
  });
});

