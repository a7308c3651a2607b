import { expect } from 'chai';
import { CallAdmissionPolicy, EmergencyCarrierCache, EmergencyNumbers } from '../../../app/call-policy';
import { type Party } from '../../../app/call-state';
import { silentLogger } from '../../../app/shared/infra/logger';
import { endedEvent, harness } from '../call-state/harness';

const alice: Party = { userId: 'u-a', username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: 'u-b', username: 'bob', phoneNumber: '+14155550102' };

function suspensionSetup(suspended: string[]) {
  const cache = new EmergencyCarrierCache({ emergencyCarriers: () => Promise.resolve([{ carrierId: 'psap', countries: ['US'], dialString: (n: string) => `PJSIP/${n}@psap`, maxConcurrentCalls: 1 }]) }, silentLogger);
  const standing = { suspensionOf: (userId: string) => Promise.resolve(suspended.includes(userId) ? { reason: 'fraud' } : undefined) };
  const metrics = { emergencyUnroutable: () => undefined, refused: () => undefined, destinationRateAlarm: () => undefined };
  const policy = new CallAdmissionPolicy({ numbers: new EmergencyNumbers({ US: ['911'] }), emergencyCarriers: cache, metrics, log: silentLogger, standing });
  const context = harness([alice, bob], {
    admission: policy,
    pstn: {
      router: { routesFor: () => Promise.resolve([]) },
      carriers: { dialTarget: () => Promise.resolve(undefined), carrierOfEndpoint: () => Promise.resolve(undefined) },
      capacity: { tryAcquire: () => Promise.resolve(true), hold: () => Promise.resolve(), release: () => Promise.resolve() },
      progressTimeoutSeconds: 5,
    },
  });
  return { ...context, cache };
}

describe('call policy: suspended users', function () {
  it('given a suspended caller, when it calls bob, then the call is refused with 403, cause suspended, before anything rings', async function () {
    const context = suspensionSetup(['u-a']);
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: context.time.now() });
    expect(context.sw.originated()).to.have.length(0);
    expect(context.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 403 }]);
    expect(endedEvent(context.store)).to.include({ cause: 'suspended', reason: 'caller_suspended', sipCode: 403 });
  });

  it('given a suspended callee, when alice calls it, then the call is refused with 403, cause suspended, and its devices never ring', async function () {
    const context = suspensionSetup(['u-b']);
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: context.time.now() });
    expect(context.sw.originated()).to.have.length(0);
    expect(endedEvent(context.store)).to.include({ cause: 'suspended', reason: 'callee_suspended', sipCode: 403 });
  });

  it('given a suspended caller, when it dials 911, then the emergency carrier gets the call all the same', async function () {
    const context = suspensionSetup(['u-a']);
    await context.cache.refresh();
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: '911', at: context.time.now() });
    expect(context.sw.originated().map((leg) => leg.endpoint)).to.deep.equal(['PJSIP/911@psap']);
  });

  it('given nobody suspended, then alice reaches bob', async function () {
    const context = suspensionSetup([]);
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: context.time.now() });
    expect(context.sw.originated()).to.have.length(1);
  });
});
