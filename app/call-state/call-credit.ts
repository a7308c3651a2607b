import { type CallEnded } from '../shared/events';
import { type Clock } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { errorMessage } from '../shared/kernel';
import { type Call } from './call';
import { type AuthorizationRequest, type CallAuthorization, type CallAuthorizer } from './ports';

// A refused call hears why: no credit is 402 Payment Required, a destination the plan does not
// price is 403, and billing being unreachable is 503 (paid calls fail closed).
export const REFUSAL_SIP_CODES: Record<Extract<CallAuthorization, { allowed: false }>['reason'], number> = {
  no_credit: 402,
  no_rate: 403,
  billing_unavailable: 503,
};

const UNAVAILABLE: CallAuthorization = { allowed: false, reason: 'billing_unavailable' };

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
    const request: AuthorizationRequest = { callId: call.id, caller, ...(onNet && call.callee ? { callee: call.callee } : {}), destination, onNet, at: this.clock.now() };
    try {
      return await this.authorizer.authorize(request);
    } catch (error) {
      // Billing answers an outage itself; a throw means it could not even do that. Its outage
      // answer decides, with billing's own rule (a free on-net call goes on, the rest fails closed).
      const answer = this.outageAnswerOf(request, log);
      if (answer.allowed) log.warn('billing unavailable: on-net call goes on unbilled', { error: errorMessage(error) });
      else log.error('billing authorization failed', { error: errorMessage(error) });
      return answer;
    }
  }

  private outageAnswerOf(request: AuthorizationRequest, log: Logger): CallAuthorization {
    try {
      return this.authorizer?.outageAnswer?.(request) ?? UNAVAILABLE;
    } catch (error) {
      log.error('billing outage answer failed: the call fails closed', { error: errorMessage(error) });
      return UNAVAILABLE;
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

  // A paid call has ended (its call.v1.ended queued): billing settles it now, so its credit is
  // free for the caller's next call even while the event stream is down. Never rejects: a failure
  // (the database down too) leaves it to the invoice consumer's settlement when the event arrives.
  async ended(call: Call, event: CallEnded, log: Logger): Promise<void> {
    if (!this.authorizer?.settleEnded || call.talkLimitSeconds === undefined || call.emergency) return;
    try {
      await this.authorizer.settleEnded(event);
    } catch (error) {
      log.warn('credit not settled at call end: left to the invoice consumer', { error: errorMessage(error) });
    }
  }
}
