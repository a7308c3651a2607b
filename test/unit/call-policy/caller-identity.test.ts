import { expect } from 'chai';
import { CallAdmissionPolicy, EmergencyCarrierCache, EmergencyNumbers, type CallPolicySettings } from '../../../app/call-policy';
import { SettingsCache } from '../../../app/call-policy/settings-cache';
import { type PolicyStore } from '../../../app/call-policy/ports';
import { type Party } from '../../../app/call-state';
import { silentLogger } from '../../../app/shared/infra/logger';
import { harness } from '../call-state/harness';

const alice: Party = { userId: 'u-a', username: 'alice', phoneNumber: '+14155550101' };

function identitySetup(settings: CallPolicySettings) {
  const store = { settingsOf: () => Promise.resolve(settings) } as unknown as PolicyStore;
  const cache = new EmergencyCarrierCache({ emergencyCarriers: () => Promise.resolve([{ carrierId: 'psap', countries: ['US'], dialString: (n: string) => `PJSIP/${n}@psap`, maxConcurrentCalls: 1 }]) }, silentLogger);
  const metrics = { emergencyUnroutable: () => undefined, refused: () => undefined, destinationRateAlarm: () => undefined };
  const policy = new CallAdmissionPolicy({ numbers: new EmergencyNumbers({ US: ['911'] }), emergencyCarriers: cache, metrics, log: silentLogger, settings: new SettingsCache(store, 0) });
  const context = harness([alice], {
    admission: policy,
    pstn: {
      router: { routesFor: () => Promise.resolve(['c1', 'c2']) },
      carriers: { dialTarget: (carrierId, destination) => Promise.resolve({ carrierId, endpoint: `PJSIP/${destination}@${carrierId}`, maxConcurrentCalls: 5 }), carrierOfEndpoint: () => Promise.resolve(undefined) },
      capacity: { tryAcquire: () => Promise.resolve(true), hold: () => Promise.resolve(), release: () => Promise.resolve() },
      progressTimeoutSeconds: 5,
    },
  });
  return { ...context, cache };
}

describe('call policy: the number presented', function () {
  it("given a call to the phone network, then the carrier is given the user's own number from the directory, presented", async function () {
    const context = identitySetup({ clir: false });
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: '+442071838750', at: context.time.now() });
    const [leg] = context.sw.originated();
    expect(leg?.callerId).to.equal('"alice" <+14155550101>');
    expect(leg?.callerPresentation).to.equal(undefined);
  });

  it('given a user with CLIR, then the number is withheld on every carrier tried, and still given (for P-Asserted-Identity and the records)', async function () {
    const context = identitySetup({ clir: true });
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: '+442071838750', at: context.time.now() });
    const first = context.sw.originated()[0];
    if (!first) expect.fail('nothing dialled');
    await context.manager.handle({ type: 'channel.hungup', channelId: first.channelId, cause: 0, causeText: '', sipCode: 503, at: context.time.now() });
    const legs = context.sw.originated();
    expect(legs.map((leg) => [leg.callerId, leg.callerPresentation])).to.deep.equal([
      ['"alice" <+14155550101>', 'restricted'],
      ['"alice" <+14155550101>', 'restricted'],
    ]);
  });

  it('given a user with CLIR who dials 911, then the emergency carrier is given the number, never withheld', async function () {
    const context = identitySetup({ clir: true });
    await context.cache.refresh();
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: '911', at: context.time.now() });
    const [leg] = context.sw.originated();
    expect(leg?.endpoint).to.equal('PJSIP/911@psap');
    expect(leg?.callerId).to.equal('"alice" <+14155550101>');
    expect(leg?.callerPresentation).to.equal(undefined);
  });
});
