import { type AdmissionDecision, type AdmissionRequest, type CallAdmission, type Party } from '../call-state';
import { countryOf } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type EmergencyCarrierCache } from './emergency-carriers';
import { type EmergencyNumbers } from './emergency-numbers';
import { type PolicyMetrics, type SubscriberStanding } from './ports';

const ALLOWED = { kind: 'allowed' } as const;
// A suspended user's calls and calls to it are refused with 403 (emergency calls excepted).
const SUSPENDED_CALLER = { kind: 'refused', cause: 'suspended', sipCode: 403, reason: 'caller_suspended' } as const;
const SUSPENDED_CALLEE = { kind: 'refused', cause: 'suspended', sipCode: 403, reason: 'callee_suspended' } as const;

// The admission of a new call from a user, decided before any number validation, routing or
// billing. Emergency numbers come first and need nothing but memory: no balance, plan, suspension
// or limit stops them, and no store is asked.
export class CallAdmissionPolicy implements CallAdmission {
  constructor(
    private readonly numbers: EmergencyNumbers,
    private readonly emergencyCarriers: EmergencyCarrierCache,
    private readonly metrics: PolicyMetrics,
    private readonly log: Logger,
    private readonly standing?: SubscriberStanding,
  ) {}

  async admit(request: AdmissionRequest): Promise<AdmissionDecision> {
    const emergency = this.numbers.match(request.dialed, countryOf(request.caller.phoneNumber));
    if (emergency) {
      const carriers = this.emergencyCarriers.targetsFor(emergency.country, emergency.number);
      if (carriers.length === 0) {
        this.metrics.emergencyUnroutable(emergency.country);
        this.log.error('emergency call with no emergency carrier for its country', { callId: request.callId, country: emergency.country, dialed: emergency.dialed });
      }
      return { kind: 'emergency', country: emergency.country, number: emergency.number, carriers };
    }
    if (request.caller.userId && (await this.standing?.suspensionOf(request.caller.userId))) return SUSPENDED_CALLER;
    return ALLOWED;
  }

  async admitCallee(request: { callId: string; callee: Party }): Promise<Exclude<AdmissionDecision, { kind: 'emergency' }>> {
    if (request.callee.userId && (await this.standing?.suspensionOf(request.callee.userId))) return SUSPENDED_CALLEE;
    return ALLOWED;
  }
}
