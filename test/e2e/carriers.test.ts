import { expect } from 'chai';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { ariGet, eventually } from '../support/ari';
import { call, device, register, type Device } from '../support/devices';
import { calledNumbers, carrierAnswers, carrierCalls, createCarrier, importCarrierRates, payingUser, removeAllCarriers, type TestCarrier } from '../support/pstn';
import { callRecordsOf } from '../support/records';
import { acceptingRegistrarScenario, CARRIER_REALM, challengingCarrierScenario, digestOf, receivedMessages, registrarScenario } from '../support/sipp/carrier-scenarios';
import { allocatePorts } from '../support/net';
import { finalCode, type SippResult, type SippRun, startSipp } from '../support/sipp';
import { testEnv } from '../support/test-env';

const invitesOf = (result: SippResult): string[] => receivedMessages(result).filter((message) => message.startsWith('INVITE '));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// SIP trunks as operators configure them, against sipp carriers: the number in the Request-URI,
// digest credentials asked with 401 or 407, the call limit, disabling and enabling. Least cost
// without exploration: the cheapest carrier of a test is always tried first.
describe('e2e: carriers (number format, digest auth, call limit, disable and enable)', function () {
  let app: AppProcess;
  let alice: TestUser;
  let bob: TestUser;
  let aliceDevice: Device;
  let bobDevice: Device;
  let numberSuffix = 10;
  const london = (): string => `+4420718387${String((numberSuffix += 1) % 100).padStart(2, '0')}`;

  // A carrier of this test: created through the API with its rate to the UK; routing sees it at
  // its next refresh.
  async function trunk(name: string, ratePerMinute: string, fields: Record<string, unknown> = {}): Promise<TestCarrier> {
    const carrier = await createCarrier(`${name}-${Date.now().toString(36)}`, fields);
    await importCarrierRates(carrier, [`44,${ratePerMinute}`]);
    await sleep(400);
    return carrier;
  }

  async function patch(carrier: TestCarrier, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await api('PATCH', `/v1/carriers/${carrier.id}`, fields);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    await sleep(400);
    return res.body;
  }

  const challenging = (carrier: TestCarrier, challenge: 401 | 407, afterAuth: 'answer' | 'refuse'): Promise<SippRun> =>
    startSipp({ scenario: challengingCarrierScenario({ challenge, afterAuth }), target: testEnv.sipTarget, localPort: carrier.sipPort, mediaPort: carrier.mediaPort, rtpEcho: true, timeoutSeconds: 60 });

  // A carrier's sipp run that may never be called: stopped once the call is over.
  async function finished(run: SippRun, afterMs = 300): Promise<SippResult> {
    await sleep(afterMs);
    run.kill();
    return run.done;
  }

  before(async function () {
    app = await AppProcess.start({ ROUTING_STRATEGY: 'least-cost', ROUTING_EXPLORATION_RATE: '0', ROUTING_REFRESH_MS: '200', CARRIER_PROGRESS_TIMEOUT_SECONDS: '3', RING_TIMEOUT_SECONDS: '20' });
    alice = await createUser('alice');
    bob = await createUser('bob');
    await payingUser(alice.id, ['44,0.60,,1,1,,']);
    await payingUser(bob.id, ['44,0.60,,1,1,,']);
    aliceDevice = device(alice);
    bobDevice = device(bob);
    await register(aliceDevice);
    await register(bobDevice);
  });

  beforeEach(async function () {
    await removeAllCarriers();
  });

  after(async function () {
    await removeAllCarriers().catch(() => undefined);
    await app?.stop();
  });

  it('given a carrier wanting digits only, then a tech prefix, then + with another prefix, then each call sends the number as configured at that moment', async function () {
    const carrier = await trunk('format', '0.01', { numberFormat: 'digits' });
    const steps: Array<[Record<string, unknown> | undefined, (e164: string) => string]> = [
      [undefined, (e164) => e164.slice(1)],
      [{ techPrefix: '0011' }, (e164) => `0011${e164.slice(1)}`],
      [{ numberFormat: 'plus', techPrefix: '99' }, (e164) => `99${e164}`],
    ];
    for (const [fields, expected] of steps) {
      if (fields) await patch(carrier, fields);
      const number = london();
      const peer = await carrierAnswers(carrier, { kind: 'answer', ringMs: 50 });
      const [caller, carrierSide] = await Promise.all([call(aliceDevice, number, { holdMs: 300 }).done, peer.done]);
      expect(finalCode(caller)).to.equal(200);
      expect(calledNumbers(carrierSide), JSON.stringify(fields)).to.deep.equal([expected(number)]);
    }
  });

  for (const challenge of [401, 407] as const) {
    it(`given a carrier that challenges our INVITE with ${challenge}, then Asterisk answers with the carrier's credentials (digest checked) and the call connects`, async function () {
      const carrier = await trunk(`auth${challenge}`, '0.01', { authUsername: `acct-${challenge}`, authPassword: `pw ${challenge} secret` });
      const peer = await challenging(carrier, challenge, 'answer');
      const [caller, carrierSide] = await Promise.all([call(aliceDevice, london(), { holdMs: 300 }).done, peer.done]);
      expect(finalCode(caller)).to.equal(200);
      const [first, second] = invitesOf(carrierSide);
      expect(first && digestOf(first, 'x')).to.equal(undefined);
      expect(second && digestOf(second, `pw ${challenge} secret`)).to.deep.equal({
        header: challenge === 401 ? 'Authorization' : 'Proxy-Authorization',
        username: `acct-${challenge}`,
        realm: CARRIER_REALM,
        valid: true,
      });
    });
  }

  it('given a carrier that refuses our credentials (401 again), then the call fails over to the next carrier, and the refusal is on the record', async function () {
    const refusing = await trunk('refusing', '0.01', { authUsername: 'old-acct', authPassword: 'expired' });
    const working = await trunk('working', '0.02');
    const refusal = await challenging(refusing, 401, 'refuse');
    const answer = await carrierAnswers(working, { kind: 'answer', ringMs: 50 });
    const [caller, refused, answered] = await Promise.all([call(aliceDevice, london(), { holdMs: 300 }).done, refusal.done, answer.done]);
    expect(finalCode(caller)).to.equal(200);
    expect(invitesOf(refused)).to.have.length(2);
    expect(invitesOf(answered)).to.have.length(1);
    const records = await eventually(() => callRecordsOf(alice.id), (rows) => rows.some((row) => row.attempts[0]?.carrierId === refusing.id));
    const attempts = records.find((row) => row.attempts[0]?.carrierId === refusing.id)?.attempts;
    expect(attempts?.map((attempt) => [attempt.carrierId, attempt.outcome, attempt.sipCode])).to.deep.equal([
      [refusing.id, 'unreachable', 401],
      [working.id, 'answered', undefined],
    ]);
  });

  it('given a carrier at its limit of concurrent calls, then the next call goes to the next carrier, and the full one is recorded as skipped, not failed', async function () {
    const limited = await trunk('limited', '0.01', { maxConcurrentCalls: 1 });
    const spare = await trunk('spare', '0.02');
    const busyLine = await carrierAnswers(limited, { kind: 'answer', ringMs: 50 });
    const first = call(aliceDevice, london(), { holdMs: 4000 });
    // The first call is up on the limited carrier before the second starts.
    await eventually(() => ariGet<Array<{ name: string; state: string }>>('/channels'), (channels) => channels.some((c) => c.name.startsWith('PJSIP/carrier_') && c.state === 'Up'));
    const sparePeer = await carrierAnswers(spare, { kind: 'answer', ringMs: 50 });
    const [second, spareSide] = await Promise.all([call(bobDevice, london(), { holdMs: 300 }).done, sparePeer.done]);
    expect(finalCode(second)).to.equal(200);
    expect(invitesOf(spareSide)).to.have.length(1);
    expect(finalCode(await first.done)).to.equal(200);
    expect(invitesOf(await busyLine.done)).to.have.length(1);
    const [record] = await eventually(() => callRecordsOf(bob.id), (rows) => rows.length >= 1);
    expect(record?.attempts.map((attempt) => [attempt.carrierId, attempt.outcome])).to.deep.equal([
      [limited.id, 'skipped_at_limit'],
      [spare.id, 'answered'],
    ]);
  });

  it('given a carrier with credentials disabled, then it gets no call and its inbound calls are refused; enabled again, it gets calls with the same credentials', async function () {
    const carrier = await trunk('toggled', '0.01', { authUsername: 'kept-acct', authPassword: 'kept secret' });
    const fallback = await trunk('fallback', '0.02');
    const disabled = await patch(carrier, { enabled: false });
    expect(disabled).to.include({ enabled: false, authUsername: 'kept-acct' });

    const idle = await challenging(carrier, 401, 'answer');
    const other = await carrierAnswers(fallback, { kind: 'answer', ringMs: 50 });
    const [caller] = await Promise.all([call(aliceDevice, london(), { holdMs: 300 }).done, other.done]);
    expect(finalCode(caller)).to.equal(200);
    expect(invitesOf(await finished(idle)), 'the disabled carrier got no INVITE').to.have.length(0);

    // Asterisk no longer recognises its address: the call is challenged like any stranger's, never rung.
    const before = (await callRecordsOf(alice.id)).length;
    const inbound = await carrierCalls(carrier, alice.phoneNumber, '+442071838799', 300);
    expect(finalCode(inbound)).to.be.oneOf([401, 403]);

    await patch(carrier, { enabled: true });
    const back = await challenging(carrier, 401, 'answer');
    const [again, carrierSide] = await Promise.all([call(aliceDevice, london(), { holdMs: 300 }).done, back.done]);
    expect(finalCode(again)).to.equal(200);
    const authenticated = invitesOf(carrierSide)[1];
    expect(authenticated && digestOf(authenticated, 'kept secret')).to.include({ username: 'kept-acct', valid: true });
    // Only alice's two outbound calls were recorded: the refused inbound call never became one.
    await eventually(() => callRecordsOf(alice.id), (rows) => rows.length >= before + 1);
    expect((await callRecordsOf(alice.id)).filter((row) => row.direction === 'inbound')).to.have.length(0);
  });

  it('given a carrier that wants registration, then Asterisk registers with its credentials (401, then 200), the carrier gets our calls, and deleting it unregisters', async function () {
    // The carrier's registrar listens apart from its trunk (as carriers' often do; one sipp
    // scenario cannot take two dialogs).
    const registrarPort = allocatePorts().sip;
    const registrar = await startSipp({ scenario: registrarScenario(600), target: testEnv.sipTarget, localPort: registrarPort, timeoutSeconds: 60 });
    const started = Date.now();
    const carrier = await trunk('registering', '0.01', { authUsername: 'reg-acct', authPassword: 'reg secret', registration: { serverUri: `sip:127.0.0.1:${registrarPort}`, expirationSeconds: 600 } });
    const registered = await registrar.done;
    // Asterisk delays a new registration by 1-10 s at random (max_random_initial_delay).
    console.log(`      registered ${((Date.now() - started) / 1000).toFixed(1)} s after the carrier was created`);
    const registers = receivedMessages(registered).filter((message) => message.startsWith('REGISTER '));
    expect(registers, registered.errors).to.have.length(2);
    expect(registers[0] && digestOf(registers[0], 'x')).to.equal(undefined);
    expect(registers[1] && digestOf(registers[1], 'reg secret')).to.deep.equal({ header: 'Authorization', username: 'reg-acct', realm: CARRIER_REALM, valid: true });
    expect(registers[1]).to.match(/^To: <sip:reg-acct@127\.0\.0\.1/m);
    expect(registered.sent.filter((line) => line.startsWith('SIP/2.0 200'))).to.have.length(1);

    const peer = await challenging(carrier, 401, 'answer');
    const [caller, carrierSide] = await Promise.all([call(aliceDevice, london(), { holdMs: 300 }).done, peer.done]);
    expect(finalCode(caller)).to.equal(200);
    expect(invitesOf(carrierSide)[1] && digestOf(invitesOf(carrierSide)[1] ?? '', 'reg secret')).to.include({ username: 'reg-acct', valid: true });

    const unregistrar = await startSipp({ scenario: acceptingRegistrarScenario(), target: testEnv.sipTarget, localPort: registrarPort, timeoutSeconds: 15 });
    expect((await api('DELETE', `/v1/carriers/${carrier.id}`)).status).to.equal(204);
    const [unregister] = receivedMessages(await unregistrar.done).filter((message) => message.startsWith('REGISTER '));
    expect(unregister, 'an unregistration within 15 s').to.match(/^Expires: 0$/m);
  });
});
