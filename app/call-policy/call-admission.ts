import { type AdmissionDecision, type AdmissionRequest, type CallAdmission } from '../call-state';
import { countryOf } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type EmergencyCarrierCache } from './emergency-carriers';
import { type EmergencyNumbers } from './emergency-numbers';
import { type PolicyMetrics } from './ports';

// The admission of a new call from a user, decided before any number validation, routing or
// billing. Emergency numbers come first and need nothing but memory: no balance, plan, suspension
// or limit stops them, and no store is asked.
export class CallAdmissionPolicy implements CallAdmission {
  constructor(
    private readonly numbers: EmergencyNumbers,
    private readonly emergencyCarriers: EmergencyCarrierCache,
    private readonly metrics: PolicyMetrics,
    private readonly log: Logger,
  ) {}

  admit(request: AdmissionRequest): Promise<AdmissionDecision> {
    const emergency = this.numbers.match(request.dialed, countryOf(request.caller.phoneNumber));
    if (emergency) {
      const carriers = this.emergencyCarriers.targetsFor(emergency.country, emergency.number);
      if (carriers.length === 0) {
        this.metrics.emergencyUnroutable(emergency.country);
        this.log.error('emergency call with no emergency carrier for its country', { callId: request.callId, country: emergency.country, dialed: emergency.dialed });
      }
      return Promise.resolve({ kind: 'emergency', country: emergency.country, number: emergency.number, carriers });
    }
    return Promise.resolve({ kind: 'allowed' });
  }
}
