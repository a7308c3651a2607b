import { type CallId, countryOf, errorMessage, newChannelId, toE164 } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { Call, type Leg, type Party } from './call';
import { type CallContext } from './call-context';
import { REFUSAL_SIP_CODES } from './call-credit';
import { callerNumberOf } from './caller-number';
import { callRequested, callRouted } from './call-events';
import { admissionOf, calleeAdmissionOf, pstnAdmissionOf, refuse } from './call-policy-hooks';
import { endCall, endIfNoLegLeft } from './call-teardown';
import { SwitchDialling } from './switch-dialling';
import { type AdmissionDecision } from './call-admission-port';
import { carrierSkipped, huntNextCarrier } from './phase-transitions';
import { DIALING, isTrying, legFailed, legReleased } from './leg-states';
import { type CallOrigin, type CallAuthorization, OriginateRefusedError, type OriginateRequest } from './ports';
import { type CarrierChoice } from './states';

const PHONE_NUMBER_LIKE = /^\+?[0-9]{3,17}$/;
// Asterisk's own dial timeout is only a safety net behind the controller's ring timer, so that the
// controller's decision (480 or 408 to the caller, CANCEL to the devices) is the one that happens.
export const ORIGINATE_TIMEOUT_MARGIN_SECONDS = 5;

// Whom a call goes to: a user (on-net, also when dialled by a national number), a number on the
// phone network, or nobody.
type CallTarget = { kind: 'user'; callee: Party } | { kind: 'pstn'; destination: string } | { kind: 'invalid_number' } | { kind: 'unknown' };

// From a new call's arrival to every device (or the first carrier) being rung. Refusals end the call
// before anything rings. A click-to-call (click-to-call.ts) joins here once its caller answered.
export class CallSetup {
  // CALL_PATH=dialplan: the switch's Dial() rings what this decides.
  readonly dialling: SwitchDialling;

  constructor(private readonly ctx: CallContext) {
    this.dialling = new SwitchDialling(ctx, (call, log) => this.dialNextCarrier(call, log));
  }

  async arrived(callId: CallId, channelId: string, origin: CallOrigin, dialed: string, at: Date): Promise<void> {
    if (origin.kind === 'carrier') return this.arrivedFromCarrier(callId, channelId, origin, dialed, at);
    const log = this.ctx.deps.log.child({ callId, from: origin.username, to: dialed });
    const caller = await this.ctx.deps.directory.findByUsername(origin.username);
    if (!caller) {
      // Asterisk authenticated an endpoint that has no active user any more (deleted a moment ago).
      log.warn('call from an endpoint with no active user');
      this.ctx.channelToCall.delete(channelId);
      await this.ctx.safely(log, 'reject caller', () => this.ctx.deps.switchControl.reject(channelId, 403));
      return;
    }
    const call = Call.start(callId, { ...caller, channelId }, dialed, at);
    this.ctx.adopt(call);
    this.dialling.arrived(callId);
    const decision = await admissionOf(this.ctx, call); // [call-policy hook]
    // An emergency call is not refused because the store is down.
    await this.ctx.save(call, [callRequested(call)], { mustPersist: !call.emergency });
    log.info('call requested', decision.kind === 'emergency' ? { emergency: true } : {});
    await this.placeCall(call, log, decision);
  }

  // Sends a requested call on to what its caller dialled: a user, the phone network, or nobody.
  async placeCall(call: Call, log: Logger, admitted?: AdmissionDecision): Promise<void> {
    // [call-policy hook] first the admission, then routing and billing.
    const decision = admitted ?? (await admissionOf(this.ctx, call));
    if (decision.kind === 'emergency') return this.dialEmergency(call, decision, log);
    if (decision.kind === 'refused') return refuse(this.ctx, call, decision, log);
    const target = await this.targetOf(call);
    switch (target.kind) {
      case 'user':
        return this.ringUser(call, target.callee, log, { paid: true });
      case 'pstn':
        return this.dialOut(call, target.destination, log);
      case 'invalid_number':
        // Nothing was reserved or rung: nothing is billed.
        return endCall(this.ctx, call, 'no_route', log, { sipCode: 484, reason: 'invalid_number' });
      case 'unknown':
        return endCall(this.ctx, call, 'no_route', log);
    }
  }

  // A call from the phone network to one of our numbers (a DID) rings the user who owns it.
  private async arrivedFromCarrier(callId: CallId, channelId: string, origin: Extract<CallOrigin, { kind: 'carrier' }>, dialed: string, at: Date): Promise<void> {
    const carrierId = await this.ctx.deps.pstn?.carriers.carrierOfEndpoint(origin.endpointId);
    const did = toE164(dialed.startsWith('+') ? dialed : `+${dialed}`);
    const callerNumber = callerNumberOf(origin.callerNumber, did);
    const call = Call.start(callId, { userId: '', username: '', phoneNumber: callerNumber, channelId }, dialed, at);
    call.direction = 'inbound';
    if (carrierId) call.carrierId = carrierId;
    this.ctx.adopt(call);
    this.dialling.arrived(callId);
    const log = this.ctx.logFor(call);
    await this.ctx.save(call, [callRequested(call)], { mustPersist: true });
    log.info('call from the phone network', { carrierId, callerNumberAsSent: callerNumber === origin.callerNumber ? undefined : origin.callerNumber.slice(0, 64) });
    if (!carrierId) return endCall(this.ctx, call, 'not_allowed', log, { reason: 'carrier_disabled' }); // disabled (or deleted) while its call came in
    const callee = did ? await this.ctx.deps.directory.findByDialed(did) : undefined;
    if (!callee) return endCall(this.ctx, call, 'no_route', log, { reason: 'unknown_number' });
    // Calls from the phone network cost our users nothing.
    return this.ringUser(call, callee, log, { paid: false });
  }

  private async targetOf(call: Call): Promise<CallTarget> {
    const directory = this.ctx.deps.directory;
    const direct = await directory.findByDialed(call.dialed);
    if (direct) return { kind: 'user', callee: direct };
    if (!PHONE_NUMBER_LIKE.test(call.dialed)) return { kind: 'unknown' };
    // A national number is read in the caller's own country.
    const destination = toE164(call.dialed, countryOf(call.caller.phoneNumber));
    if (!destination) return { kind: 'invalid_number' };
    const user = await directory.findByDialed(destination);
    if (user) return { kind: 'user', callee: user };
    return this.ctx.deps.pstn ? { kind: 'pstn', destination } : { kind: 'unknown' };
  }

  // Rings every registered device of the callee, in parallel.
  private async ringUser(call: Call, callee: Party, log: Logger, options: { paid: boolean }): Promise<void> {
    const ctx = this.ctx;
    call.callee = callee;
    if (!ctx.transition(call, (state) => state.route(), log)) return;
    // [call-policy hook] a callee may not be rung (suspended).
    const calleeDecision = await calleeAdmissionOf(ctx, call, callee);
    if (calleeDecision.kind === 'refused') return refuse(ctx, call, calleeDecision, log);
    const connections = await ctx.deps.connections.connectionsOf(callee.username);
    if (connections.length === 0) return endCall(ctx, call, 'unreachable', log);
    if (options.paid && !(await this.authorized(call, callee.phoneNumber, true, log))) return;

    const now = ctx.deps.clock.now().getTime();
    const legs: Leg[] = connections.map((connection) => ({ channelId: newChannelId(), contactUri: connection.contactUri, state: DIALING, invitedAt: now }));
    const endpointOf = new Map(connections.map((connection) => [connection.contactUri, connection.endpoint]));
    for (const leg of legs) this.addLeg(call, leg);
    call.ringDeadline = now + ctx.deps.ringTimeoutSeconds * 1000;
    // Saved before dialling: after a crash the legs are known and can be cleaned up.
    await ctx.save(call, [callRouted(call, now)]);
    if (this.dialling.appliesTo(call.id)) {
      // Dial()'s own timeout is the ring timeout.
      const targets = legs.map((leg) => ({ leg, endpoint: ctx.deps.switchControl.deviceAddress(callee.username, leg.contactUri, endpointOf.get(leg.contactUri)) }));
      if (!(await this.dialling.handOff(call, targets, log))) return endCall(ctx, call, 'failed', log);
      log.info('callee devices handed to the switch', { devices: legs.length });
      return;
    }
    this.armRingTimer(call);

    const originated = await Promise.allSettled(legs.map((leg) => this.originate(call, leg, ctx.deps.switchControl.deviceAddress(callee.username, leg.contactUri, endpointOf.get(leg.contactUri)))));
    await Promise.all(
      originated.map(async (result, index) => {
        const leg = legs[index];
        if (result.status === 'rejected' && leg && isTrying(leg.state)) await this.originateFailed(leg, result.reason, log);
      }),
    );
    log.info('callee devices dialled', { devices: legs.length, failed: legs.filter((leg) => !isTrying(leg.state)).length });
    await endIfNoLegLeft(ctx, call, log);
  }

  // A call to the phone network: billed by the destination's retail rate, sent through the carriers
  // the recommendation service ranks, one after the other.
  private async dialOut(call: Call, destination: string, log: Logger): Promise<void> {
    const ctx = this.ctx;
    const pstn = ctx.deps.pstn;
    if (!pstn) return endCall(ctx, call, 'no_route', log);
    call.direction = 'outbound';
    call.callee = { userId: '', username: '', phoneNumber: destination };
    if (!ctx.transition(call, (state) => state.route(), log)) return;
    // [call-policy hook] the blocklist, fraud caps and PSTN limit, before routing and billing.
    const pstnDecision = await pstnAdmissionOf(ctx, call, destination);
    if (pstnDecision.kind === 'refused') return refuse(ctx, call, pstnDecision, log);
    if (pstnDecision.presentation === 'restricted') call.restricted = true;
    const { channelId: _channel, ...caller } = call.caller;
    // The route first: a number no carrier takes is unknown (404), whatever the caller's credit,
    // and no credit is reserved for it.
    const carriers = await pstn.router.routesFor({ callId: call.id, caller, destination, at: ctx.deps.clock.now() });
    if (carriers.length === 0) return endCall(ctx, call, 'no_route', log, { reason: 'no_carrier' });
    if (!(await this.authorized(call, destination, false, log))) return;
    ctx.transition(call, (state) => state.withHunt({ remaining: carriers.map((carrierId) => ({ carrierId })) }), log);
    const now = ctx.deps.clock.now().getTime();
    call.ringDeadline = now + ctx.deps.ringTimeoutSeconds * 1000;
    await ctx.save(call, [callRouted(call, now)]);
    this.armRingTimer(call);
    log.info('dialling out', { destination, carriers: carriers.length });
    await this.dialNextCarrier(call, log);
  }

  // [call-policy hook] A call to the emergency services: to the emergency carriers of the caller's
  // country, one after the other, with no credit asked (it costs nothing and is never cut off) and
  // no carrier slot taken (neither billing nor Redis may stop it). None configured: 503.
  private async dialEmergency(call: Call, decision: Extract<AdmissionDecision, { kind: 'emergency' }>, log: Logger): Promise<void> {
    const ctx = this.ctx;
    call.direction = 'outbound';
    call.callee = { userId: '', username: '', phoneNumber: decision.number };
    if (!ctx.transition(call, (state) => state.route(), log)) return;
    if (decision.carriers.length === 0) return endCall(ctx, call, 'failed', log, { sipCode: 503, reason: 'no_emergency_carrier' });
    ctx.transition(call, (state) => state.withHunt({ remaining: decision.carriers.map((target) => ({ carrierId: target.carrierId, target })) }), log);
    const now = ctx.deps.clock.now().getTime();
    call.ringDeadline = now + ctx.deps.ringTimeoutSeconds * 1000;
    await ctx.save(call, [callRouted(call, now)]);
    this.armRingTimer(call);
    log.warn('emergency call', { country: decision.country, number: decision.number, carriers: decision.carriers.length });
    await this.dialNextCarrier(call, log);
  }

  // Tries the next carrier still on the call's list (its Routing/Ringing phase); ends the call when
  // none is left. Each try runs the effects of the pure hunt transition (phase-transitions.ts).
  async dialNextCarrier(call: Call, log: Logger): Promise<void> {
    let step = huntNextCarrier(call.state);
    for (;;) {
      this.ctx.transition(call, () => step.next, log);
      const effect = step.effects[0];
      if (effect?.kind !== 'try-carrier') break;
      if (await this.tryCarrier(call, effect.choice, log)) return;
      step = carrierSkipped(call.state);
    }
    await endIfNoLegLeft(this.ctx, call, log);
  }

  // The TryCarrier effect: true once the carrier has the call (dialled, or handed to the switch).
  private async tryCarrier(call: Call, choice: CarrierChoice, log: Logger): Promise<boolean> {
    const ctx = this.ctx;
    const pstn = ctx.deps.pstn;
    const destination = call.callee?.phoneNumber;
    if (!pstn || !destination) return false;
    const carrierId = choice.carrierId;
    const target = choice.target ?? (await pstn.carriers.dialTarget(carrierId, destination));
    if (!target) return false;
    const leg: Leg = { channelId: newChannelId(), contactUri: target.endpoint, carrierId, state: DIALING, invitedAt: ctx.deps.clock.now().getTime() };
    if (!call.emergency && !(await pstn.capacity.tryAcquire(carrierId, leg.channelId, target.maxConcurrentCalls))) {
      // Recorded as an attempt, so the recommendation service sees the carrier was full.
      call.legs.push({ channelId: leg.channelId, contactUri: leg.contactUri, carrierId, state: { name: 'failed', outcome: 'congestion', released: true } }); // no invitedAt: recorded as skipped_at_limit
      log.info('carrier at its call limit', { carrierId, limit: target.maxConcurrentCalls });
      return false;
    }
    this.addLeg(call, leg);
    if (!call.emergency) ctx.heldSlots.set(leg.channelId, carrierId);
    // Saved before dialling, with the carriers still left: a restart goes on with the next one.
    await ctx.save(call);
    if (this.dialling.appliesTo(call.id)) {
      if (await this.dialling.handOff(call, [{ leg, endpoint: target.endpoint }], log)) {
        this.dialling.armProgressTimer(call, leg, pstn.progressTimeoutSeconds);
        log.info('carrier handed to the switch', { carrierId, legChannelId: leg.channelId });
        return true;
      }
      await ctx.releaseSlot(leg.channelId, log);
      return false;
    }
    try {
      await this.dialCarrier(call, leg, target.endpoint);
    } catch (error) {
      await this.originateFailed(leg, error, log);
      await ctx.releaseSlot(leg.channelId, log);
      return false;
    }
    this.armProgressTimer(call, leg, pstn.progressTimeoutSeconds);
    log.info('carrier dialled', { carrierId, legChannelId: leg.channelId });
    return true;
  }

  private async authorized(call: Call, destination: string, onNet: boolean, log: Logger): Promise<boolean> {
    const authorization: CallAuthorization = await this.ctx.credit.authorize(call, destination, onNet, log);
    if (authorization.allowed) {
      if (authorization.reservedSeconds !== null) call.talkLimitSeconds = authorization.reservedSeconds;
      return true;
    }
    log.info('call refused by billing', { reason: authorization.reason });
    await endCall(this.ctx, call, 'not_allowed', log, { reason: authorization.reason, sipCode: REFUSAL_SIP_CODES[authorization.reason] });
    return false;
  }

  private addLeg(call: Call, leg: Leg): void {
    call.legs.push(leg);
    this.ctx.channelToCall.set(leg.channelId, call.id);
  }

  private async originate(call: Call, leg: Leg, endpoint: string): Promise<void> {
    this.ctx.originating.add(leg.channelId);
    try {
      await this.ctx.deps.switchControl.originate(this.requestFor(call, leg, endpoint));
    } finally {
      this.ctx.originating.delete(leg.channelId);
    }
  }

  // A carrier leg is created in the switch's application first and dialled then, so that the early
  // media of a carrier that answers 183 can be bridged to the caller before the answer.
  private async dialCarrier(call: Call, leg: Leg, endpoint: string): Promise<void> {
    const control = this.ctx.deps.switchControl;
    const request = this.requestFor(call, leg, endpoint);
    this.ctx.originating.add(leg.channelId);
    try {
      await control.createChannel(request);
      await control.dialChannel(leg.channelId, { callerChannelId: call.caller.channelId, timeoutSeconds: request.timeoutSeconds });
    } finally {
      this.ctx.originating.delete(leg.channelId);
    }
  }

  private requestFor(call: Call, leg: Leg, endpoint: string): OriginateRequest {
    const { username, phoneNumber } = call.caller;
    return {
      channelId: leg.channelId,
      callId: call.id,
      endpoint,
      callerId: username ? `"${username}" <${phoneNumber}>` : `<${phoneNumber}>`,
      // Never on an emergency call: it is not an outbound call admitted with CLIR.
      ...(call.restricted && leg.carrierId !== undefined ? { callerPresentation: 'restricted' as const } : {}),
      originatorChannelId: call.caller.channelId,
      timeoutSeconds: this.ctx.deps.ringTimeoutSeconds + ORIGINATE_TIMEOUT_MARGIN_SECONDS,
    };
  }

  // A failed originate ends that attempt. Unless the switch refused it outright, its channel may
  // exist and ring (Asterisk created it, but its answer was lost or late): it is hung up now, and if
  // even that fails the leg stays not gone, so the call's end hangs it up again.
  private async originateFailed(leg: Leg, error: unknown, log: Logger): Promise<void> {
    leg.state = legFailed(leg.state, 'unreachable');
    const refused = error instanceof OriginateRefusedError;
    log.warn('originate failed', { legChannelId: leg.channelId, carrierId: leg.carrierId, refused, error: errorMessage(error) });
    if (refused) {
      leg.state = legReleased(leg.state);
      return;
    }
    try {
      await this.ctx.deps.switchControl.hangup(leg.channelId, 'normal');
      leg.state = legReleased(leg.state);
    } catch (hangupError) {
      log.warn('switch command failed', { command: 'hang up after a failed originate', legChannelId: leg.channelId, error: errorMessage(hangupError) });
    }
  }

  armRingTimer(call: Call): void {
    this.ctx.timers.armRing(call, () => this.ctx.runTimed(call.id, 'ring timeout', () => this.onRingTimeout(call.id)));
  }

  private async onRingTimeout(callId: string): Promise<void> {
    const call = this.ctx.calls.get(callId);
    if (!call || (call.state.name !== 'routing' && call.state.name !== 'ringing')) return;
    const log = this.ctx.logFor(call);
    log.info('ring timeout');
    await endCall(this.ctx, call, 'no_answer', log, { pendingLegOutcome: 'no_answer' });
  }

  // A carrier that does not even say it is trying (no 18x) is given up on, and the next one tried.
  private armProgressTimer(call: Call, leg: Leg, seconds: number): void {
    this.ctx.timers.armAfter(`${call.id}:${leg.channelId}`, seconds * 1000, () =>
      this.ctx.runTimed(call.id, 'carrier progress', async () => {
        if (!isTrying(leg.state) || leg.progressAt !== undefined || call.state.name === 'answered' || call.state.isFinal) return;
        const log = this.ctx.logFor(call);
        log.info('carrier gave no progress in time', { carrierId: leg.carrierId, seconds });
        leg.state = legReleased(legFailed(leg.state, 'no_answer'));
        await this.ctx.safely(log, 'give up on carrier', () => this.ctx.deps.switchControl.hangup(leg.channelId, 'normal'));
        await this.ctx.releaseSlot(leg.channelId, log);
        await this.dialNextCarrier(call, log);
      }),
    );
  }
}
