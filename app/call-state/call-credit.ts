import { type Clock } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { errorMessage } from '../shared/kernel';
import { type Call } from './call';
import { type CallAuthorization, type CallAuthorizer } from './ports';

// A refused call hears why: no credit is 402 Payment Required, a destination the plan does not
// price is 403, and billing being unreachable is 503 (paid calls fail closed).
export const REFUSAL_SIP_CODES: Record<Extract<CallAuthorization, { allowed: false }>['reason'], number> = {
  no_credit: 402,
  no_rate: 403,
  billing_unavailable: 503,
};

// The call state manager's side of billing: may a call start, and may it go on.
export class CallCredit {
  constructor(
    private readonly authorizer: CallAuthorizer | undefined,
    private readonly clock: Clock,
  ) {}

  // Before anything rings: may the caller pay for this call to this E.164 destination, and for how
  // long? onNet: to another user (priced by the plan's on-net rule), else to the phone network.
  async authorize(call: Call, destination: string, onNet: boolean, log: Logger): Promise<CallAuthorization> {
    if (!this.authorizer) return { allowed: true, reservedSeconds: null };
    const { channelId: _channel, ...caller } = call.caller;
    try {
      return await this.authorizer.authorize({ callId: call.id, caller, ...(onNet && call.callee ? { callee: call.callee } : {}), destination, onNet, at: this.clock.now() });
    } catch (error) {
      // Billing down: calls to the phone network cost us money and fail closed; a call to another
      // user costs nothing to carry, so it goes on, free and without a limit (logged for the record).
      if (onNet) {
        log.warn('billing unavailable: on-net call goes on unbilled', { error: errorMessage(error) });
        return { allowed: true, reservedSeconds: null };
      }
      log.error('billing authorization failed', { error: errorMessage(error) });
      return { allowed: false, reason: 'billing_unavailable' };
    }
  }

  // continueCall of the design: may this call go on past the talk time reserved so far? Billing
  // answers by reserving more credit; the new limit is kept on the call. A billing failure keeps the
  // current limit: a paid call then ends when its reserved credit is spent (fail closed).
  async continueCall(call: Call, log: Logger): Promise<boolean> {
    if (!this.authorizer || call.talkLimitSeconds === undefined) return true;
    let answer: CallAuthorization;
    try {
      answer = await this.authorizer.extend(call.id);
    } catch (error) {
      log.warn('billing did not answer; the call ends at its reserved limit', { error: errorMessage(error) });
      return false;
    }
    if (!answer.allowed) return false;
    if (answer.reservedSeconds === null) {
      call.talkLimitSeconds = undefined;
      return true;
    }
    if (answer.reservedSeconds <= call.talkLimitSeconds) return false;
    call.talkLimitSeconds = answer.reservedSeconds;
    return true;
  }
}
