import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type Call } from './call';
import { type CallContext } from './call-context';
import { callRinging } from './call-events';
import { isTrying, legProgressed, legRang } from './leg-states';
import { earlyMediaStarted } from './phase-transitions';

// How far the callee side got before the answer: ringing (180) and session progress (183, usually
// with early media). The first of either makes the call ring and is the leg's post-dial delay.
export class CallProgress {
  constructor(private readonly ctx: CallContext) {}

  async onRinging(call: Call, channelId: string, at: Date): Promise<void> {
    const leg = call.leg(channelId);
    if (!leg || !isTrying(leg.state)) return;
    leg.progressAt ??= at.getTime();
    leg.state = legRang(leg.state);
    if (call.state.name !== 'routing') return;
    const log = this.ctx.logFor(call);
    if (this.ctx.transition(call, (state) => state.ring(), log, at)) {
      await this.ctx.safely(log, 'ring caller', () => this.ctx.deps.switchControl.ring(call.caller.channelId));
      await this.ctx.save(call, [callRinging(call, at.getTime())]);
    }
  }

  // 183 Session Progress: the far end works on the call and usually plays something (ringback, an
  // announcement); it counts as progress (post-dial delay, progress timer) and the call rings. A
  // carrier leg, in the application since its creation, is bridged with the caller at once and the
  // caller is told of the progress, so that it hears that early media; for any other leg the caller
  // hears ringing as on a 180.
  async onProgress(call: Call, channelId: string, at: Date): Promise<void> {
    const leg = call.leg(channelId);
    if (!leg || !isTrying(leg.state) || call.state.isFinal) return;
    leg.progressAt ??= at.getTime();
    leg.state = legProgressed(leg.state);
    const log = this.ctx.logFor(call);
    const early = leg.carrierId !== undefined && (await this.bridgeEarly(call, leg.channelId, log));
    if (call.state.name === 'routing' && this.ctx.transition(call, (state) => state.ring(), log, at)) {
      if (!early) await this.ctx.safely(log, 'ring caller', () => this.ctx.deps.switchControl.ring(call.caller.channelId));
      await this.ctx.save(call, [callRinging(call, at.getTime())]);
      return;
    }
    await this.ctx.save(call);
  }

  // Puts the caller and this leg in the call's bridge before the answer, and tells the caller the
  // call progresses (183 with media); the channels bridged are the phase's data (persisted with
  // it). False when the switch refused: the call goes on without.
  private async bridgeEarly(call: Call, legChannelId: string, log: Logger): Promise<boolean> {
    const { next, effects } = earlyMediaStarted(call.state, call.caller.channelId, legChannelId);
    const effect = effects[0];
    if (effect?.kind !== 'bridge-early') return call.state.earlyMedia.includes(legChannelId);
    const control = this.ctx.deps.switchControl;
    try {
      if (effect.createBridge) await control.createBridge(call.id);
      await control.addToBridge(call.id, effect.channelIds);
      call.apply(() => next, this.ctx.deps.clock.now());
      if (effect.progressCaller) await control.progress(call.caller.channelId);
      log.info('early media bridged', { legChannelId });
      return true;
    } catch (error) {
      log.warn('early media not bridged', { legChannelId, error: errorMessage(error) });
      return false;
    }
  }
}
