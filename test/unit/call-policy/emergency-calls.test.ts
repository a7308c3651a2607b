import { expect } from 'chai';
import { CallAdmissionPolicy, EmergencyCarrierCache, EmergencyNumbers } from '../../../app/call-policy';
import { type CallAuthorizer, type CallAuthorization, type Party } from '../../../app/call-state';
import { DEFAULT_EMERGENCY_NUMBERS, parseEmergencyNumbers } from '../../../app/config';
import { silentLogger } from '../../../app/shared/infra/logger';
import { advance, endedEvent, harness } from '../call-state/harness';

const usCaller: Party = { userId: 'u-us', username: 'alice', phoneNumber: '+14155550101' };
const deCaller: Party = { userId: 'u-de', username: 'dieter', phoneNumber: '+4930901820' };
const ukCaller: Party = { userId: 'u-uk', username: 'george', phoneNumber: '+442071838750' };

// Billing that refuses everything (a zero balance) and counts what it was asked.
class BrokeBilling implements CallAuthorizer {
  asked = 0;
  authorize(): Promise<CallAuthorization> {
    this.asked += 1;
    return Promise.resolve({ allowed: false, reason: 'no_credit' });
  }
  extend(): Promise<CallAuthorization> {
    this.asked += 1;
    return Promise.resolve({ allowed: false, reason: 'no_credit' });
  }
}

function emergencySetup(carriers: { carrierId: string; countries: string[] }[]) {
  const alarms: string[] = [];
  const cache = new EmergencyCarrierCache(
    { emergencyCarriers: () => Promise.resolve(carriers.map((carrier) => ({ ...carrier, dialString: (number: string) => `PJSIP/${number}@carrier_${carrier.carrierId}`, maxConcurrentCalls: 1 }))) },
    silentLogger,
  );
  const metrics = { emergencyUnroutable: (country: string) => void alarms.push(country), refused: () => undefined, destinationRateAlarm: () => undefined };
  const policy = new CallAdmissionPolicy({ numbers: new EmergencyNumbers(parseEmergencyNumbers(DEFAULT_EMERGENCY_NUMBERS).table), emergencyCarriers: cache, metrics, log: silentLogger });
  const billing = new BrokeBilling();
  const routed: string[] = [];
  const context = harness([usCaller, deCaller, ukCaller], {
    authorizer: billing,
    admission: policy,
    pstn: {
      router: { routesFor: (request) => (routed.push(request.destination), Promise.resolve(['retail'])) },
      carriers: { dialTarget: () => Promise.reject(new Error('the database is down')), carrierOfEndpoint: () => Promise.resolve(undefined) },
      capacity: { tryAcquire: () => Promise.reject(new Error('redis is down')), hold: () => Promise.resolve(), release: () => Promise.reject(new Error('redis is down')) },
      progressTimeoutSeconds: 5,
    },
  });
  return { ...context, cache, billing, alarms, routed };
}

describe('call policy: emergency calls', function () {
  for (const [caller, dialed, carrier, sent] of [
    [usCaller, '911', 'us-psap', '911'],
    [usCaller, '112', 'us-psap', '911'],
    [deCaller, '112', 'de-psap', '112'],
    [deCaller, '911', 'de-psap', '112'],
    [ukCaller, '999', 'uk-psap', '999'],
  ] as const) {
    it(`given a ${caller.phoneNumber.slice(0, 3)} caller with no credit who dials ${dialed}, then the ${carrier} carrier gets ${sent}, presented with the caller's own E.164 number, and neither billing, routing nor carrier slots are asked`, async function () {
      const context = emergencySetup([
        { carrierId: 'us-psap', countries: ['US', 'CA'] },
        { carrierId: 'de-psap', countries: ['DE'] },
        { carrierId: 'uk-psap', countries: ['GB'] },
      ]);
      await context.cache.refresh();
      await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: caller.username }, dialed, at: context.time.now() });
      const [leg] = context.sw.originated();
      expect(leg?.endpoint).to.equal(`PJSIP/${sent}@carrier_${carrier}`);
      expect(leg?.callerId, 'the number presented').to.equal(`"${caller.username}" <${caller.phoneNumber}>`);
      expect(context.billing.asked).to.equal(0);
      expect(context.routed).to.deep.equal([]);
    });
  }

  it('given an answered emergency call of a caller with no credit, then it is not cut off an hour later, and ends as a free emergency call on the record', async function () {
    const context = emergencySetup([{ carrierId: 'us-psap', countries: ['US'] }]);
    await context.cache.refresh();
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: '911', at: context.time.now() });
    const leg = context.sw.originated()[0];
    if (!leg) expect.fail('no emergency carrier dialled');
    await context.manager.handle({ type: 'leg.answered', channelId: leg.channelId, callId: leg.callId, at: context.time.now() });
    await advance(context.time, 3600_000);
    expect(context.sw.of('hangup'), 'not cut off').to.have.length(0);
    expect(context.sw.of('playTone')).to.have.length(0);
    await context.manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: '', at: context.time.now() });
    expect(endedEvent(context.store)).to.include({ cause: 'completed', emergency: true, direction: 'outbound', carrierId: 'us-psap' });
    expect(context.billing.asked).to.equal(0);
  });

  it('given the first emergency carrier fails with 503, then the second gets the call; a final answer (486) from it is not tried further', async function () {
    const context = emergencySetup([
      { carrierId: 'us-psap-1', countries: ['US'] },
      { carrierId: 'us-psap-2', countries: ['US'] },
      { carrierId: 'us-psap-3', countries: ['US'] },
    ]);
    await context.cache.refresh();
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: '911', at: context.time.now() });
    const first = context.sw.originated()[0];
    if (!first) expect.fail('no emergency carrier dialled');
    await context.manager.handle({ type: 'channel.hungup', channelId: first.channelId, cause: 0, causeText: '', sipCode: 503, at: context.time.now() });
    const second = context.sw.originated()[1];
    expect(second?.endpoint).to.equal('PJSIP/911@carrier_us-psap-2');
    if (!second) expect.fail('no failover');
    await context.manager.handle({ type: 'channel.hungup', channelId: second.channelId, cause: 17, causeText: '', sipCode: 486, at: context.time.now() });
    expect(context.sw.originated(), 'the third is never tried after a final answer').to.have.length(2);
    expect(endedEvent(context.store)).to.include({ cause: 'busy', emergency: true });
  });

  it('given no emergency carrier for the caller\'s country, then the call fails with 503 and the alarm is raised for that country', async function () {
    const context = emergencySetup([{ carrierId: 'us-psap', countries: ['US'] }]);
    await context.cache.refresh();
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'dieter' }, dialed: '112', at: context.time.now() });
    expect(context.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 503 }]);
    expect(context.alarms).to.deep.equal(['DE']);
    expect(endedEvent(context.store)).to.include({ reason: 'no_emergency_carrier', emergency: true });
  });

  it('given the carriers could not be re-read (database down), then the last list read stays in use', async function () {
    let down = false;
    const cache = new EmergencyCarrierCache(
      { emergencyCarriers: () => (down ? Promise.reject(new Error('down')) : Promise.resolve([{ carrierId: 'c', countries: ['US'], dialString: (n: string) => `PJSIP/${n}@c`, maxConcurrentCalls: 1 }])) },
      silentLogger,
    );
    await cache.refresh();
    down = true;
    await cache.refresh();
    expect(cache.targetsFor('US', '911')).to.deep.equal([{ carrierId: 'c', endpoint: 'PJSIP/911@c', maxConcurrentCalls: 1 }]);
  });

  it('given an ordinary number, then the call is allowed the usual way: routed and billed (and refused here for credit)', async function () {
    const context = emergencySetup([{ carrierId: 'us-psap', countries: ['US'] }]);
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: '+442071838750', at: context.time.now() });
    expect(context.routed).to.deep.equal(['+442071838750']);
    expect(context.billing.asked).to.equal(1);
    expect(context.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 402 }]);
  });
});
