import { type AdmissionDecision, type AdmissionRequest, type AdmittedCall, type CallAdmission, type Party, type Refusal } from '../call-state';
import { countryOf } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type EmergencyCarrierCache } from './emergency-carriers';
import { type EmergencyNumbers } from './emergency-numbers';
import { type FraudCaps } from './fraud-caps';
import { type CallCounters, type PolicyMetrics, type SubscriberStanding } from './ports';
import { type SettingsCache } from './settings-cache';

const ALLOWED = { kind: 'allowed' } as const;
// A suspended user's calls and calls to it are refused with 403 (emergency calls excepted).
const SUSPENDED_CALLER: Refusal = { kind: 'refused', cause: 'suspended', sipCode: 403, reason: 'caller_suspended' };
const SUSPENDED_CALLEE: Refusal = { kind: 'refused', cause: 'suspended', sipCode: 403, reason: 'callee_suspended' };
// Over its own limit the caller is busy: 486 Busy Here (403 would say it may never call).
const OVER_LIMIT: Refusal = { kind: 'refused', cause: 'call_limit', sipCode: 486, reason: 'concurrent_calls' };
const OVER_PSTN_LIMIT: Refusal = { kind: 'refused', cause: 'call_limit', sipCode: 486, reason: 'concurrent_pstn_calls' };
// The callee holds as many calls as its limit allows (incoming calls count too): busy.
const CALLEE_OVER_LIMIT: Refusal = { kind: 'refused', cause: 'call_limit', sipCode: 486, reason: 'callee_concurrent_calls' };

export interface CallAdmissionDeps {
  numbers: EmergencyNumbers;
  emergencyCarriers: EmergencyCarrierCache;
  metrics: PolicyMetrics;
  log: Logger;
  // Without these, nobody is suspended, limited or capped.
  standing?: SubscriberStanding;
  settings?: SettingsCache;
  counters?: CallCounters;
  fraud?: FraudCaps;
}

// The admission of a new call from a user, decided before any number validation, routing or
// billing. Emergency numbers come first and need nothing but memory: no balance, plan, suspension
// or limit stops them, and no store is asked. Then suspension, then the concurrent-call limit (a
// slot is taken only when the call is allowed: a refusal reserves nothing).
export class CallAdmissionPolicy implements CallAdmission {
  constructor(private readonly deps: CallAdmissionDeps) {}

  async admit(request: AdmissionRequest): Promise<AdmissionDecision> {
    const emergency = this.deps.numbers.match(request.dialed, countryOf(request.caller.phoneNumber));
    if (emergency) {
      const carriers = this.deps.emergencyCarriers.targetsFor(emergency.country, emergency.number);
      if (carriers.length === 0) {
        this.deps.metrics.emergencyUnroutable(emergency.country);
        this.deps.log.error('emergency call with no emergency carrier for its country', { callId: request.callId, country: emergency.country, dialed: emergency.dialed });
      }
      return { kind: 'emergency', country: emergency.country, number: emergency.number, carriers };
    }
    const userId = request.caller.userId;
    if (!userId) return ALLOWED;
    if (await this.deps.standing?.suspensionOf(userId)) return this.refused(SUSPENDED_CALLER);
    const max = (await this.deps.settings?.of(userId))?.maxCalls;
    if (max !== undefined && this.deps.counters && !(await this.deps.counters.tryAcquire('all', userId, request.callId, max))) return this.refused(OVER_LIMIT);
    return ALLOWED;
  }

  async admitCallee(request: { callId: string; callee: Party }): Promise<Refusal | typeof ALLOWED> {
    const userId = request.callee.userId;
    if (!userId) return ALLOWED;
    if (await this.deps.standing?.suspensionOf(userId)) return this.refused(SUSPENDED_CALLEE);
    // The limit of all calls counts the calls a user receives as well as those it makes.
    const max = (await this.deps.settings?.of(userId))?.maxCalls;
    if (max !== undefined && this.deps.counters && !(await this.deps.counters.tryAcquire('all', userId, request.callId, max))) return this.refused(CALLEE_OVER_LIMIT);
    return ALLOWED;
  }

  async admitPstn(request: AdmissionRequest & { destination: string }): Promise<Refusal | { kind: 'allowed'; presentation?: 'restricted' }> {
    const userId = request.caller.userId;
    if (!userId || !this.deps.settings) return ALLOWED;
    const settings = await this.deps.settings.of(userId);
    const capped = await this.deps.fraud?.check({ callId: request.callId, userId, destination: request.destination, at: request.at }, settings);
    if (capped) return this.refused(capped);
    const max = settings.maxPstnCalls;
    if (max !== undefined && this.deps.counters && !(await this.deps.counters.tryAcquire('pstn', userId, request.callId, max))) return this.refused(OVER_PSTN_LIMIT);
    return settings.clir ? { kind: 'allowed', presentation: 'restricted' } : ALLOWED;
  }

  async released(call: AdmittedCall): Promise<void> {
    const counters = this.deps.counters;
    if (!counters || !this.deps.settings) return;
    const userId = call.caller.userId;
    await Promise.all([
      ...(userId ? [counters.release('all', userId, call.id)] : []),
      ...(userId && call.pstn ? [counters.release('pstn', userId, call.id)] : []),
      ...(call.callee?.userId ? [counters.release('all', call.callee.userId, call.id)] : []),
    ]);
  }

  async hold(calls: AdmittedCall[]): Promise<void> {
    if (!this.deps.counters || !this.deps.settings) return;
    await this.deps.counters.hold(
      calls.flatMap((call) => [
        ...(call.caller.userId ? [{ kind: 'all' as const, userId: call.caller.userId, callId: call.id }] : []),
        ...(call.caller.userId && call.pstn ? [{ kind: 'pstn' as const, userId: call.caller.userId, callId: call.id }] : []),
        ...(call.callee?.userId ? [{ kind: 'all' as const, userId: call.callee.userId, callId: call.id }] : []),
      ]),
    );
  }

  private refused(refusal: Refusal): Refusal {
    this.deps.metrics.refused(refusal.cause, refusal.reason);
    return refusal;
  }
}
