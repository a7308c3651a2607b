import { expect } from 'chai';
import { createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { answerOn, call, device, register, type Device } from '../support/devices';
import { endPool, stackService, summaryRow } from '../support/faults';
import { calledNumbers, carrierAnswers, createCarrier, removeAllCarriers, type TestCarrier } from '../support/pstn';
import { finalCode, type SippResult } from '../support/sipp';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const presented = (trace: string, user: TestUser): boolean => new RegExp(`From: "?${user.username}"? <sip:\\${user.phoneNumber}@`).test(trace);

// Emergency calls need neither PostgreSQL nor Redis (issue 14): with either stopped, a registered
// user's 911 reaches the emergency carrier with the caller's E.164 number. The switch authenticates
// the caller from its sorcery memory cache (asterisk/conf/sorcery.conf), the controller knows the
// caller from its lookup cache (served stale while the database cannot answer) and the emergency
// carriers from memory; no credit is asked and no slot taken.
describe('faults: emergency calls while PostgreSQL or Redis is stopped', function () {
  let app: AppProcess | undefined;
  let psap: TestCarrier;
  let alice: TestUser;
  let aliceDevice: Device;
  let bob: TestUser;
  let bobDevice: Device;
  let stopped: 'postgres' | 'redis' | undefined;

  before(async function () {
    this.timeout(120_000);
    app = await AppProcess.start({ EMERGENCY_CARRIER_REFRESH_MS: '200', CARRIER_PROGRESS_TIMEOUT_SECONDS: '5' });
    await removeAllCarriers();
    psap = await createCarrier(`psap-us-${Date.now().toString(36)}`, { emergency: true, emergencyCountries: ['US', 'CA'] });
    [alice, bob] = await Promise.all([createUser('eo-alice'), createUser('eo-bob')]);
    [aliceDevice, bobDevice] = [device(alice), device(bob)];
    await register(aliceDevice);
    await register(bobDevice);
    await sleep(800); // the emergency carriers are read into memory at the next refresh
    // Everything up: one emergency call and one free call (the switch and the controller have
    // seen both users, the carrier and the callee's devices once).
    await emergencyCall(1000);
    await freeCall();
  });

  after(async function () {
    this.timeout(60_000);
    if (stopped) stackService('start', stopped);
    await app?.stop();
    await endPool();
  });

  async function emergencyCall(holdMs: number): Promise<{ caller: SippResult; carrier: SippResult; ms: number }> {
    const started = Date.now();
    const answering = await carrierAnswers(psap, { kind: 'answer', ringMs: 100 });
    const [caller, carrier] = await Promise.all([call(aliceDevice, '911', { holdMs, audio: false }).done, answering.done]);
    return { caller, carrier, ms: Date.now() - started };
  }

  async function freeCall(): Promise<SippResult> {
    const answering = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const result = await call(aliceDevice, bob.username, { holdMs: 1000, audio: false }).done;
    // A call that never rang bob leaves his device waiting: ended by its own timeout otherwise.
    if (finalCode(result) !== 200) answering.kill();
    await answering.done.catch(() => undefined);
    return result;
  }

  for (const service of ['postgres', 'redis'] as const) {
    it(`given ${service} stopped, when a registered US user dials 911, then the emergency carrier gets 911 with the caller's E.164 number and the call connects`, async function () {
      this.timeout(120_000);
      stackService('stop', service);
      stopped = service;
      await sleep(2_000);
      const { caller, carrier, ms } = await emergencyCall(2000);
      const free = service === 'postgres' ? await freeCall() : undefined;
      stackService('start', service);
      stopped = undefined;

      expect(finalCode(caller), `${caller.received.join(' | ')}`).to.equal(200);
      expect(calledNumbers(carrier)).to.deep.equal(['911']);
      expect(presented(carrier.trace, alice), "the carrier is shown alice's own number").to.equal(true);
      // An ordinary free call between registered users during the same PostgreSQL outage: the
      // switch authenticates alice from its cache (no more 401), and the controller refuses it
      // (503), because it cannot read bob's registered devices (ps_contacts, written by the
      // switch's registrar) nor alice's call limits, and it fails closed without them.
      if (free) expect(finalCode(free), `free call: ${free.received.join(' | ')}`).to.equal(503);
      summaryRow(`${service} stopped | 1 emergency call${free ? ' + 1 free on-net call' : ''} | 0 | 0 | ${ms} ms (911 connected${free ? `; free call ${finalCode(free) ?? 'none'}` : ''})`);
    });
  }
});
