import { AppError, type CallId, errorMessage, newCallId, newChannelId } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { Call, type Party } from './call';
import { type CallContext } from './call-context';
import { callRequested } from './call-events';
import { type CallSetup, ORIGINATE_TIMEOUT_MARGIN_SECONDS } from './call-setup';
import { endCall } from './call-teardown';
import { callerDeviceAnswered, callerDevicesGone, callerNotAnswering, callerRinging, type PhaseTransition } from './phase-transitions';
import { OriginateRefusedError } from './ports';

// The user a click-to-call is for has no registered device to ring (or none the switch can reach).
export class CallerUnreachableError extends AppError {
  constructor(username: string) {
    super('CALL.CALLER_UNREACHABLE', 'the user has no device that can be rung', 'unreachable', { username });
  }
}

// Why a click-to-call ended before its caller answered (recorded on call.v1.ended).
const CALLER_NO_ANSWER = 'caller_no_answer';

// startCall(from, to) of the design, as click-to-call: the platform rings every device of the user
// `from` (originated into the application, in parallel); the first to answer becomes the call's
// caller channel and the call goes on exactly as if that device had dialled `to` (CallSetup's
// routing, billing authorisation, parallel ringing, records and events). Until then the call is in
// the store (visible to operators) with no caller channel, and publishes nothing: call.v1.requested
// names the caller's channel.
export class ClickToCall {
  constructor(
    private readonly ctx: CallContext,
    private readonly setup: CallSetup,
  ) {}

  // Rings the caller's devices; resolves once the switch took at least one. Throws
  // CallerUnreachableError when there is none to ring. The devices ringing are the call's
  // Requested phase, saved before they ring: a restarted controller still knows them.
  async start(from: Party, to: string): Promise<CallId> {
    const { deps } = this.ctx;
    const connections = await deps.connections.connectionsOf(from.username);
    if (connections.length === 0) throw new CallerUnreachableError(from.username);
    const now = deps.clock.now();
    const call = Call.start(newCallId(), { ...from, channelId: '' }, to, now);
    call.ringDeadline = now.getTime() + deps.ringTimeoutSeconds * 1000;
    const log = this.ctx.logFor(call);
    const devices = connections.map((connection) => ({ channelId: newChannelId(), contactUri: connection.contactUri, endpoint: connection.endpoint }));
    call.apply((state) => callerRinging(state, devices.map((device) => device.channelId)).next, now);
    this.ctx.adopt(call);
    await this.ctx.queue.run(call.id, async () => {
      await this.ctx.save(call);
      this.armRingTimer(call);
      const started = await Promise.all(devices.map((device) => this.ringDevice(call, device.channelId, deps.switchControl.deviceAddress(from.username, device.contactUri, device.endpoint), to, log)));
      const failed = devices.filter((_, index) => !started[index]).map((device) => device.channelId);
      if (failed.length < devices.length) {
        if (failed.length > 0) {
          this.ctx.transition(call, (state) => callerDevicesGone(state, failed).next, log);
          await this.ctx.save(call);
        }
        log.info('click-to-call: ringing the caller', { devices: devices.length });
        return;
      }
      this.ctx.transition(call, (state) => state.withCallerDevices([]), log);
      await this.run(call, callerNotAnswering(call.state, 'unreachable'), log);
      throw new CallerUnreachableError(from.username);
    });
    return call.id;
  }

  // A device of the caller answered: it is the caller's channel from now on; the others stop ringing.
  async callerAnswered(call: Call, channelId: string): Promise<void> {
    await this.run(call, callerDeviceAnswered(call.state, channelId), this.ctx.logFor(call));
  }

  // A device of the caller hung up or failed before answering; with none left, the call ends.
  async callerDeviceGone(call: Call, channelId: string): Promise<void> {
    this.ctx.channelToCall.delete(channelId);
    await this.run(call, callerDevicesGone(call.state, [channelId]), this.ctx.logFor(call));
  }

  // The call is ending (an operator, a failure, reconciliation): devices of the caller still
  // ringing are stopped.
  async abandon(call: Call, log: Logger): Promise<void> {
    const ringing = [...call.state.callerDevices];
    if (ringing.length === 0) return;
    this.ctx.transition(call, (state) => state.withCallerDevices([]), log);
    await Promise.all(ringing.map((id) => this.stopRinging(id, 'normal', log)));
  }

  // After a restart or lost events: the caller's devices the switch no longer has are gone; one
  // that answered meanwhile (waiting in the application) leads to the callee; else they ring on
  // until the call's ring deadline.
  async reconcile(call: Call, found: (channelId: string) => 'absent' | 'ringing' | 'answered'): Promise<void> {
    const log = this.ctx.logFor(call);
    const devices = call.state.callerDevices.filter((id) => !this.ctx.originating.has(id));
    const answered = devices.find((id) => found(id) === 'answered');
    if (answered) return this.callerAnswered(call, answered);
    const gone = devices.filter((id) => found(id) === 'absent');
    for (const id of gone) this.ctx.channelToCall.delete(id);
    if (gone.length > 0) log.info('click-to-call: caller devices gone while events were lost', { devices: gone.length });
    await this.run(call, callerDevicesGone(call.state, gone), log);
    if (!call.state.isFinal && !this.ctx.timers.hasRing(call.id)) this.armRingTimer(call);
  }

  private armRingTimer(call: Call): void {
    this.ctx.timers.armRing(call, () => this.ctx.runTimed(call.id, 'click-to-call ring timeout', () => this.onTimeout(call.id)));
  }

  private async onTimeout(callId: string): Promise<void> {
    const call = this.ctx.calls.get(callId);
    if (!call || call.state.callerDevices.length === 0) return;
    const log = this.ctx.logFor(call);
    log.info('click-to-call: the caller did not answer');
    await this.run(call, callerNotAnswering(call.state, 'no_answer'), log);
  }

  // The effect runner of the caller-ringing phase: applies the next state, then its effects.
  private async run(call: Call, step: PhaseTransition, log: Logger): Promise<void> {
    this.ctx.transition(call, () => step.next, log);
    for (const effect of step.effects) {
      switch (effect.kind) {
        case 'stop-ringing':
          await Promise.all(effect.channelIds.map((id) => this.stopRinging(id, effect.reason, log)));
          break;
        case 'place-call':
          await this.placeFrom(call, effect.callerChannelId, log);
          break;
        case 'end-caller-unanswered':
          await endCall(this.ctx, call, effect.cause, log, { callerGone: true, reason: CALLER_NO_ANSWER });
          break;
        default:
          break;
      }
    }
  }

  private async placeFrom(call: Call, channelId: string, log: Logger): Promise<void> {
    this.ctx.timers.disarmRing(call.id);
    call.caller.channelId = channelId;
    this.ctx.channelToCall.set(channelId, call.id);
    await this.ctx.save(call, [callRequested(call)], { mustPersist: true });
    log.info('click-to-call: the caller answered', { callerChannelId: channelId });
    await this.setup.placeCall(call, log);
  }

  // The caller's phone shows whom it calls. False when the switch did not take it; a channel it may
  // have created all the same is hung up.
  private async ringDevice(call: Call, channelId: string, endpoint: string, to: string, log: Logger): Promise<boolean> {
    const control = this.ctx.deps.switchControl;
    this.ctx.originating.add(channelId);
    try {
      await control.originate({ channelId, callId: call.id, endpoint, callerId: `"${to}" <${to}>`, timeoutSeconds: this.ctx.deps.ringTimeoutSeconds + ORIGINATE_TIMEOUT_MARGIN_SECONDS });
      return true;
    } catch (error) {
      log.warn('originate failed', { legChannelId: channelId, refused: error instanceof OriginateRefusedError, error: errorMessage(error) });
      this.ctx.channelToCall.delete(channelId);
      if (!(error instanceof OriginateRefusedError)) await this.ctx.safely(log, 'hang up after a failed originate', () => control.hangup(channelId, 'normal'));
      return false;
    } finally {
      this.ctx.originating.delete(channelId);
    }
  }

  private async stopRinging(channelId: string, reason: 'normal' | 'answered_elsewhere', log: Logger): Promise<void> {
    this.ctx.channelToCall.delete(channelId);
    await this.ctx.safely(log, 'stop ringing the caller', () => this.ctx.deps.switchControl.hangup(channelId, reason));
  }
}
