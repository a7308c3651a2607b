import { AppError, type CallId, errorMessage, newCallId, newChannelId } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { Call, type Party } from './call';
import { type CallContext } from './call-context';
import { callRequested } from './call-events';
import { type CallSetup, deviceEndpoint, ORIGINATE_TIMEOUT_MARGIN_SECONDS } from './call-setup';
import { endCall } from './call-teardown';
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
  // Per call whose caller has not answered yet: the caller's devices still ringing.
  private readonly ringingCaller = new Map<string, Set<string>>();

  constructor(
    private readonly ctx: CallContext,
    private readonly setup: CallSetup,
  ) {}

  // Rings the caller's devices; resolves once the switch took at least one. Throws
  // CallerUnreachableError when there is none to ring.
  async start(from: Party, to: string): Promise<CallId> {
    const { deps } = this.ctx;
    const connections = await deps.connections.connectionsOf(from.username);
    if (connections.length === 0) throw new CallerUnreachableError(from.username);
    const now = deps.clock.now();
    const call = Call.start(newCallId(), { ...from, channelId: '' }, to, now);
    call.ringDeadline = now.getTime() + deps.ringTimeoutSeconds * 1000;
    const log = this.ctx.logFor(call);
    const devices = connections.map((connection) => ({ channelId: newChannelId(), contactUri: connection.contactUri, endpoint: connection.endpoint }));
    this.ringingCaller.set(call.id, new Set(devices.map((device) => device.channelId)));
    this.ctx.calls.set(call.id, call);
    for (const device of devices) this.ctx.channelToCall.set(device.channelId, call.id);
    await this.ctx.queue.run(call.id, async () => {
      await this.ctx.save(call);
      this.ctx.timers.armRing(call, () => this.ctx.runTimed(call.id, 'click-to-call ring timeout', () => this.onTimeout(call.id)));
      const started = await Promise.all(devices.map((device) => this.ringDevice(call, device.channelId, deviceEndpoint(from.username, device.contactUri, device.endpoint), to, log)));
      if (started.some(Boolean)) {
        log.info('click-to-call: ringing the caller', { devices: devices.length });
        return;
      }
      await this.end(call, 'unreachable', log);
      throw new CallerUnreachableError(from.username);
    });
    return call.id;
  }

  isCallerDevice(callId: string, channelId: string): boolean {
    return this.ringingCaller.get(callId)?.has(channelId) ?? false;
  }

  // Whether the call still waits for its caller to answer.
  isRingingCaller(callId: string): boolean {
    return this.ringingCaller.has(callId);
  }

  // A device of the caller answered: it is the caller's channel from now on; the others stop ringing.
  async callerAnswered(call: Call, channelId: string): Promise<void> {
    const others = [...(this.ringingCaller.get(call.id) ?? [])].filter((id) => id !== channelId);
    this.ringingCaller.delete(call.id);
    this.ctx.timers.disarmRing(call.id);
    const log = this.ctx.logFor(call);
    await Promise.all(others.map((id) => this.stopRinging(id, 'answered_elsewhere', log)));
    call.caller.channelId = channelId;
    await this.ctx.save(call, [callRequested(call)], { mustPersist: true });
    log.info('click-to-call: the caller answered', { callerChannelId: channelId });
    await this.setup.placeCall(call, log);
  }

  // A device of the caller hung up or failed before answering; with none left, the call ends.
  async callerDeviceGone(call: Call, channelId: string): Promise<void> {
    const ringing = this.ringingCaller.get(call.id);
    this.ctx.channelToCall.delete(channelId);
    ringing?.delete(channelId);
    if (ringing && ringing.size === 0) await this.end(call, 'no_answer', this.ctx.logFor(call));
  }

  // The call is ending (an operator, a failure, reconciliation): devices of the caller still
  // ringing are stopped.
  async abandon(call: Call, log: Logger): Promise<void> {
    const ringing = this.ringingCaller.get(call.id);
    if (!ringing) return;
    this.ringingCaller.delete(call.id);
    await Promise.all([...ringing].map((id) => this.stopRinging(id, 'normal', log)));
  }

  private async onTimeout(callId: string): Promise<void> {
    const call = this.ctx.calls.get(callId);
    if (!call || !this.ringingCaller.has(callId)) return;
    const log = this.ctx.logFor(call);
    log.info('click-to-call: the caller did not answer');
    await this.end(call, 'no_answer', log);
  }

  private async end(call: Call, cause: 'no_answer' | 'unreachable', log: Logger): Promise<void> {
    await this.abandon(call, log);
    await endCall(this.ctx, call, cause, log, { callerGone: true, reason: CALLER_NO_ANSWER });
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
      this.ringingCaller.get(call.id)?.delete(channelId);
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
