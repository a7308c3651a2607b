import { expect } from 'chai';
import { CallAdmissionPolicy, EmergencyCarrierCache, EmergencyNumbers, type BlockedPrefix, type CallPolicySettings } from '../../../app/call-policy';
import { Blocklist } from '../../../app/call-policy/blocklist';
import { FraudCaps } from '../../../app/call-policy/fraud-caps';
import { type CallCounters, type PolicyStore } from '../../../app/call-policy/ports';
import { SettingsCache } from '../../../app/call-policy/settings-cache';
import { type Party } from '../../../app/call-state';
import { silentLogger } from '../../../app/shared/infra/logger';

const alice: Party = { userId: 'u-a', username: 'alice', phoneNumber: '+14155550101' };
const AT = new Date('2026-12-07T10:30:00Z');

// In-memory counters with Redis's semantics (slots per user and kind, counts per key).
class MemoryCounters implements CallCounters {
  slots = new Map<string, Set<string>>();
  hourly = new Map<string, number>();
  destinations = new Map<string, number>();
  tryAcquire(kind: string, userId: string, callId: string, max: number): Promise<boolean> {
    const set = this.slots.get(`${kind}:${userId}`) ?? new Set<string>();
    if (!set.has(callId) && set.size >= max) return Promise.resolve(false);
    this.slots.set(`${kind}:${userId}`, set.add(callId));
    return Promise.resolve(true);
  }
  release(kind: string, userId: string, callId: string): Promise<void> {
    this.slots.get(`${kind}:${userId}`)?.delete(callId);
    return Promise.resolve();
  }
  hold(slots: { kind: string; userId: string; callId: string }[]): Promise<void> {
    for (const slot of slots) this.slots.set(`${slot.kind}:${slot.userId}`, (this.slots.get(`${slot.kind}:${slot.userId}`) ?? new Set<string>()).add(slot.callId));
    return Promise.resolve();
  }
  tryCountHourly(userId: string, max: number): Promise<boolean> {
    const count = this.hourly.get(userId) ?? 0;
    if (count >= max) return Promise.resolve(false);
    this.hourly.set(userId, count + 1);
    return Promise.resolve(true);
  }
  countDestination(destination: string): Promise<number> {
    const count = (this.destinations.get(destination) ?? 0) + 1;
    this.destinations.set(destination, count);
    return Promise.resolve(count);
  }
  held(kind: string): number {
    return this.slots.get(`${kind}:${alice.userId}`)?.size ?? 0;
  }
}

function policySetup(settings: CallPolicySettings, options: { charged?: bigint; threshold?: number; blockMinutes?: number } = {}) {
  const blocked: BlockedPrefix[] = [];
  const store = {
    settingsOf: () => Promise.resolve(settings),
    chargedSince: () => Promise.resolve(options.charged ?? 0n),
    blockedPrefixes: () => Promise.resolve([...blocked]),
    block: (entry: BlockedPrefix) => Promise.resolve(void blocked.push(entry)),
  } as unknown as PolicyStore;
  const counters = new MemoryCounters();
  const alarms: boolean[] = [];
  const refusals: string[] = [];
  const metrics = { emergencyUnroutable: () => undefined, refused: (cause: string) => void refusals.push(cause), destinationRateAlarm: (b: boolean) => void alarms.push(b) };
  const blocklist = new Blocklist(['+881'], store, silentLogger);
  const fraud = new FraudCaps(blocklist, store, counters, metrics, { destinationCallsPerMinute: options.threshold ?? 0, destinationBlockMinutes: options.blockMinutes ?? 0 }, silentLogger);
  const cache = new EmergencyCarrierCache({ emergencyCarriers: () => Promise.resolve([]) }, silentLogger);
  const policy = new CallAdmissionPolicy({ numbers: new EmergencyNumbers({ US: ['911'] }), emergencyCarriers: cache, metrics, log: silentLogger, settings: new SettingsCache(store, 0), counters, fraud, standing: { suspensionOf: () => Promise.resolve(undefined) } });
  const admit = (callId: string) => policy.admit({ callId, caller: alice, dialed: '+442071838750', at: AT });
  const admitPstn = (callId: string, destination = '+442071838750') => policy.admitPstn({ callId, caller: alice, dialed: destination, destination, at: AT });
  return { policy, counters, alarms, refusals, blocked, blocklist, admit, admitPstn };
}

describe('call policy: per-user limits and fraud caps', function () {
  it('given a limit of 2 calls of all kinds, then a call alice receives counts as one of them: with one made and one received, her next call and the next call to her are both refused with 486; the received call ended, her next call goes', async function () {
    const context = policySetup({ maxCalls: 2, clir: false });
    const bob: Party = { userId: 'u-b', username: 'bob', phoneNumber: '+14155550102' };
    expect((await context.admit('out-1')).kind).to.equal('allowed');
    expect((await context.policy.admitCallee({ callId: 'in-1', callee: alice })).kind, 'a call to alice').to.equal('allowed');
    expect(context.counters.held('all'), 'one made, one received').to.equal(2);
    expect(await context.admit('out-2')).to.deep.equal({ kind: 'refused', cause: 'call_limit', sipCode: 486, reason: 'concurrent_calls' });
    expect(await context.policy.admitCallee({ callId: 'in-2', callee: alice })).to.deep.equal({ kind: 'refused', cause: 'call_limit', sipCode: 486, reason: 'callee_concurrent_calls' });
    expect(context.counters.held('all'), 'nothing reserved for either refusal').to.equal(2);
    // The received call (from bob, or from the phone network: no caller user) ends: its slot comes back.
    await context.policy.released({ id: 'in-1', caller: { ...bob, userId: '' }, pstn: false, callee: alice });
    expect(context.counters.held('all')).to.equal(1);
    expect((await context.admit('out-3')).kind).to.equal('allowed');
    // A restarted controller holds the callee's slot of a live call again.
    await context.policy.hold([{ id: 'in-9', caller: bob, pstn: false, callee: alice }]);
    expect(context.counters.held('all')).to.equal(3);
  });

  it('given a limit of 2 calls, then the third is refused with 486 (call_limit) and takes no slot; a released call frees its slot for the next', async function () {
    const context = policySetup({ maxCalls: 2, clir: false });
    expect((await context.admit('c1')).kind).to.equal('allowed');
    expect((await context.admit('c2')).kind).to.equal('allowed');
    expect(await context.admit('c3')).to.deep.equal({ kind: 'refused', cause: 'call_limit', sipCode: 486, reason: 'concurrent_calls' });
    expect(context.counters.held('all'), 'nothing reserved for the refused call').to.equal(2);
    await context.policy.released({ id: 'c1', caller: alice, pstn: false });
    expect((await context.admit('c4')).kind).to.equal('allowed');
    expect(context.refusals).to.deep.equal(['call_limit']);
  });

  it('given a PSTN limit of 1, then a second outbound call is refused (concurrent_pstn_calls) while on-net calls are not counted there; releasing an outbound call frees both its slots', async function () {
    const context = policySetup({ maxCalls: 5, maxPstnCalls: 1, clir: false });
    await context.admit('c1');
    expect((await context.admitPstn('c1')).kind).to.equal('allowed');
    await context.admit('c2');
    expect(await context.admitPstn('c2')).to.include({ cause: 'call_limit', reason: 'concurrent_pstn_calls', sipCode: 486 });
    await context.policy.released({ id: 'c1', caller: alice, pstn: true });
    expect([context.counters.held('all'), context.counters.held('pstn')]).to.deep.equal([1, 0]);
  });

  it('given a configured or an added blocked prefix, then a call to it is refused with 403 (blocked_destination), the longest prefix deciding; an expired block no longer counts', async function () {
    const context = policySetup({ clir: false });
    expect(await context.admitPstn('c1', '+8816123456')).to.deep.equal({ kind: 'refused', cause: 'blocked_destination', sipCode: 403, reason: 'blocked_prefix' });
    context.blocked.push({ prefix: '+44909', reason: 'premium' }, { prefix: '+4420', reason: 'gone', expiresAt: new Date(AT.getTime() - 1) });
    await context.blocklist.refresh(AT);
    expect(context.blocklist.match('+449098790000', AT)?.prefix).to.equal('+44909');
    expect((await context.admitPstn('c2', '+449098790000')).kind).to.equal('refused');
    expect((await context.admitPstn('c3', '+442071838750')).kind).to.equal('allowed');
  });

  it('given a daily spend cap, then a call is refused (spend_cap) once the day\'s charges reach it, not before', async function () {
    expect((await policySetup({ dailySpendCapMinor: 500n, clir: false }, { charged: 499n }).admitPstn('c1')).kind).to.equal('allowed');
    expect(await policySetup({ dailySpendCapMinor: 500n, clir: false }, { charged: 500n }).admitPstn('c1')).to.include({ cause: 'spend_cap', sipCode: 403 });
  });

  it('given a cap of 2 new PSTN calls an hour, then the third is refused (call_rate_cap)', async function () {
    const context = policySetup({ pstnCallsPerHour: 2, clir: false });
    expect((await context.admitPstn('c1')).kind).to.equal('allowed');
    expect((await context.admitPstn('c2')).kind).to.equal('allowed');
    expect(await context.admitPstn('c3')).to.include({ cause: 'call_rate_cap', reason: 'pstn_calls_per_hour' });
  });

  it('given one destination called above the threshold across users, then the alarm is raised once, and with a block time the destination is blocked', async function () {
    const alarmOnly = policySetup({ clir: false }, { threshold: 3 });
    for (let i = 0; i < 6; i += 1) expect((await alarmOnly.admitPstn(`c${i}`)).kind).to.equal('allowed');
    expect(alarmOnly.alarms).to.deep.equal([false]);

    const blocking = policySetup({ clir: false }, { threshold: 3, blockMinutes: 10 });
    for (let i = 0; i < 3; i += 1) await blocking.admitPstn(`c${i}`);
    expect(await blocking.admitPstn('c3')).to.include({ cause: 'blocked_destination' });
    expect(blocking.alarms).to.deep.equal([true]);
    expect(blocking.blocked[0]).to.deep.include({ prefix: '+442071838750', expiresAt: new Date(AT.getTime() + 600_000) });
  });

  it('given no limits set, then calls are admitted and no slot is counted against any limit', async function () {
    const context = policySetup({ clir: false });
    for (let i = 0; i < 10; i += 1) expect((await context.admit(`c${i}`)).kind).to.equal('allowed');
    expect(context.counters.held('all')).to.equal(0);
  });
});
