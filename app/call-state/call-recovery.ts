import { type CallId, errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type Call } from './call';
import { type CallContext } from './call-context';
import { type CallDeadline } from './call-deadline';
import { type CallSetup } from './call-setup';
import { admittedCallOf, endIfNoLegLeft, type EndOptions } from './call-teardown';
import { type SwitchBridge, type SwitchChannel, type SwitchEvent } from './ports';
import { legFailed, legReleased } from './leg-states';
import { Answered, type EndCause } from './states';

const answeredInApp = (channel: SwitchChannel | undefined): boolean => channel?.inApp === 'answered-leg';
const isCallChannel = (channel: SwitchChannel): boolean => channel.inApp !== undefined && channel.inApp !== 'other';

// The end reason of a call whose party left while the controller heard no events: its end time is
// the last moment it was known alive, not the moment the controller found out.
export const ENDED_WHILE_DISCONNECTED = 'ended_while_disconnected';

// What this instance drove just before it asked the switch for its channels.
export interface Baseline {
  calls: Set<string>;
  legs: Set<string>;
}

// The manager's handling of a call that recovery reuses.
export interface CallHandling {
  end(call: Call, cause: EndCause, log: Logger, options?: EndOptions): Promise<void>;
  legAnswered(call: Call, channelId: string, at: Date): Promise<void>;
  armCreditTimers(call: Call): void;
  failSafe(callId: CallId, event: SwitchEvent, log: Logger): Promise<void>;
  // A click-to-call still ringing its caller's devices: it has no caller channel to look for yet;
  // its devices are compared with what the switch has.
  callerDevicesFound(call: Call, found: (channelId: string) => 'absent' | 'ringing' | 'answered'): Promise<void>;
}

// Taking calls over after a restart, and comparing them with what the switch really has after the
// event connection (re)opened, when events may have been lost.
export class CallRecovery {
  // Per call taken over after a restart, the last moment it was known alive (its previous
  // controller's last heartbeat), until the switch has been compared with it.
  private readonly aliveUntil = new Map<string, number>();

  constructor(
    private readonly ctx: CallContext,
    private readonly setup: CallSetup,
    private readonly deadline: CallDeadline,
    private readonly handling: CallHandling,
  ) {}

  // Takes over the live calls kept in the store, before any switch event arrives: this instance's
  // own (from its previous run), and orphans, whose owner is not running any more (or unknown: a
  // call saved before owners were recorded), each claimed atomically so that no call gets two
  // controllers. Calls of running instances are theirs. Carrier legs hold their slots again (those
  // may have expired meanwhile). Returns how many calls were adopted.
  async recover(): Promise<number> {
    const stored = await this.ctx.deps.store.liveCalls();
    const adopted: Call[] = [];
    const lastSeen = new Map<string, number | undefined>();
    for (const call of stored) {
      if (this.ctx.calls.has(call.id)) continue;
      const taken = await this.takeOver(call);
      if (!taken) continue;
      const owner = call.owner ?? this.ctx.deps.instanceId ?? '';
      if (!lastSeen.has(owner)) lastSeen.set(owner, await this.eventsSeenAt(owner));
      this.ctx.adopt(taken);
      const seenAt = lastSeen.get(owner);
      if (seenAt !== undefined) this.aliveUntil.set(taken.id, seenAt);
      adopted.push(taken);
    }
    await this.holdSlots(adopted);
    return adopted.length;
  }

  // The call if this instance may drive it: its own, or an orphan it claimed.
  private async takeOver(call: Call): Promise<Call | undefined> {
    const { instanceId, instances, store } = this.ctx.deps;
    if (!instanceId || !instances || call.owner === instanceId) return call;
    if (this.ctx.deps.ownCallsOnly === true) return undefined;
    if (call.owner !== undefined && (await instances.isRunning(call.owner))) return undefined;
    const claimed = await store.claim(call.id, call.owner);
    if (claimed) this.ctx.deps.log.info('call of a stopped instance taken over', { callId: call.id, previousOwner: call.owner ?? null });
    return claimed;
  }

  // What this instance drives is noted before the switch is asked: a list taken afterwards cannot
  // tell anything about a call or leg that started later (its own events bring it). eventsLostAt:
  // when the previous connection stopped delivering events (undefined on the first connection).
  async resync(connectedAt: Date, eventsLostAt?: Date): Promise<void> {
    const baseline = this.baseline();
    const control = this.ctx.deps.switchControl;
    const [channels, bridges] = await Promise.all([control.listChannels(), control.listBridges()]);
    await this.reconcile(channels, connectedAt, bridges, baseline, eventsLostAt);
  }

  // Channels created after `connectedAt` are left alone: their own events will bring them. Only the
  // calls and legs of `baseline` are judged.
  async reconcile(channels: SwitchChannel[], connectedAt: Date, bridges: SwitchBridge[], baseline: Baseline, eventsLostAt?: Date): Promise<void> {
    const byId = new Map(channels.map((channel) => [channel.id, channel]));
    const ofCalls = new Set(this.ctx.channelToCall.keys());
    await Promise.all([...baseline.calls].map((callId) => this.ctx.queue.run(callId, () => this.reconcileCall(callId, byId, baseline, eventsLostAt))));
    // Every call has been compared with the switch: from now on its events arrive.
    this.aliveUntil.clear();
    // Only callers and callee legs are call channels; other modules' channels (e.g. snoops) are theirs.
    const strays = channels.filter(
      (channel) => isCallChannel(channel) && !ofCalls.has(channel.id) && !this.ctx.channelToCall.has(channel.id) && channel.createdAt < connectedAt,
    );
    await Promise.all(strays.map((channel) => this.hangUpStray(channel.id, 'channel of no call')));
    // A bridge whose destruction was lost (switch unreachable at the call's end) outlives its call.
    const leftBridges = bridges.filter(
      (bridge) => !this.ctx.calls.has(bridge.id) && bridge.createdAt < connectedAt && bridge.channelIds.every((id) => !this.ctx.channelToCall.has(id)),
    );
    await Promise.all(leftBridges.map((bridge) => this.destroyLeftBridge(bridge.id)));
    this.ctx.deps.log.info('reconciled with the switch', { liveCalls: this.ctx.calls.size, channels: channels.length, strays: strays.length, leftBridges: leftBridges.length });
  }

  // The calls, and the legs of them whose channel exists for sure (originate answered), right now.
  baseline(): Baseline {
    const legs = new Set<string>();
    for (const call of this.ctx.calls.values()) {
      for (const leg of call.legs) if (!this.ctx.originating.has(leg.channelId)) legs.add(leg.channelId);
    }
    return { calls: new Set(this.ctx.calls.keys()), legs };
  }

  // Refreshes the store's safety TTL of every call this instance drives, and the expiry of the
  // carrier slots they hold.
  async keepAlive(): Promise<void> {
    if (this.ctx.calls.size === 0) return;
    await this.ctx.deps.store.touch([...this.ctx.calls.values()]);
    await this.holdSlots(this.ctx.calls.values());
  }

  async hangUpStray(channelId: string, why: string): Promise<void> {
    this.ctx.deps.log.warn('hanging up a channel that belongs to no call', { channelId, why });
    await this.ctx.safely(this.ctx.deps.log, 'hang up stray channel', () => this.ctx.deps.switchControl.hangup(channelId, 'normal'));
  }

  private async reconcileCall(callId: string, channels: Map<string, SwitchChannel>, baseline: Baseline, eventsLostAt: Date | undefined): Promise<void> {
    const call = this.ctx.calls.get(callId);
    if (!call || call.state.isFinal) return;
    const log = this.ctx.logFor(call);
    if (call.state.callerDevices.length > 0) {
      const found = (id: string): 'absent' | 'ringing' | 'answered' => {
        const channel = channels.get(id);
        if (!channel) return 'absent';
        return answeredInApp(channel) ? 'answered' : 'ringing';
      };
      await this.handling.callerDevicesFound(call, found).catch((error: unknown) => log.error('reconciling a click-to-call failed', { error: errorMessage(error) }));
      return;
    }
    // Only a leg whose channel existed before the list was asked for can be missing from it.
    const missing = (channelId: string): boolean => baseline.legs.has(channelId) && !channels.has(channelId);
    try {
      if (!channels.has(call.caller.channelId)) {
        log.info('caller gone while events were lost');
        await this.handling.end(call, call.state instanceof Answered ? 'completed' : 'cancelled', log, { callerGone: true, ...(await this.endedWhileAway(call, eventsLostAt, log)) });
        return;
      }
      if (call.state instanceof Answered) {
        if (missing(call.state.answeredLeg)) {
          log.info('callee gone while events were lost');
          await this.handling.end(call, 'completed', log, await this.endedWhileAway(call, eventsLostAt, log));
        } else if (!this.ctx.timers.hasCredit(call.id)) {
          this.handling.armCreditTimers(call);
          // Its deadline again, in case its previous controller stopped before telling the switch.
          if (call.talkLimitSeconds !== undefined) await this.deadline.move(call, log);
        }
        return;
      }
      for (const leg of call.legs) {
        if (!leg.state.released && missing(leg.channelId)) {
          leg.state = legReleased(legFailed(leg.state, 'unreachable'));
          await this.ctx.releaseSlot(leg.channelId, log);
        }
      }
      // A device that answered while events were lost waits in the application: bridge it now.
      const answered = call.pendingLegs.find((leg) => answeredInApp(channels.get(leg.channelId)));
      if (answered) {
        await this.handling.legAnswered(call, answered.channelId, this.ctx.deps.clock.now());
        return;
      }
      if (!this.ctx.timers.hasRing(call.id)) this.setup.armRingTimer(call);
      // A carrier that failed while events were lost: the next one on the call's list, if any.
      if (call.pendingLegs.length === 0 && call.state.hunt.remaining.length > 0) {
        await this.setup.dialNextCarrier(call, log);
        return;
      }
      await endIfNoLegLeft(this.ctx, call, log);
    } catch (error) {
      log.error('reconciling a call failed', { error: errorMessage(error) });
      await this.handling.failSafe(call.id, { type: 'channel.hungup', channelId: call.caller.channelId, cause: 0, causeText: '', at: this.ctx.deps.clock.now() }, log);
    }
  }

  // How a call that ended while events were lost ends: at the hang-up the switch recorded itself
  // (an answered call's real talk time), else at the last moment it was known alive (estimated).
  private async endedWhileAway(call: Call, eventsLostAt: Date | undefined, log: Logger): Promise<EndOptions> {
    const seen = call.state instanceof Answered ? await this.deadline.endSeenBySwitch(call, log) : undefined;
    if (seen) return { at: seen, reason: ENDED_WHILE_DISCONNECTED };
    return { at: this.lastAlive(call, eventsLostAt), reason: ENDED_WHILE_DISCONNECTED, endTimeEstimated: true };
  }

  // The last moment a call is known to have been alive: its previous controller's last heartbeat
  // for a call taken over and not compared with the switch since, else when this connection's events
  // stopped; without either, its last recorded change. Time nobody can prove is not billed.
  private lastAlive(call: Call, eventsLostAt: Date | undefined): Date {
    const now = this.ctx.deps.clock.now().getTime();
    const lastChange = call.history.at(-1)?.at ?? now;
    const known = this.aliveUntil.get(call.id) ?? eventsLostAt?.getTime() ?? lastChange;
    return new Date(Math.min(now, Math.max(known, lastChange)));
  }

  private async eventsSeenAt(instanceId: string): Promise<number | undefined> {
    const { instances } = this.ctx.deps;
    if (!instances || !instanceId) return undefined;
    try {
      return (await instances.eventsSeenAt(instanceId))?.getTime();
    } catch (error) {
      // Without it, calls found ended are ended at their last recorded change (nothing unproven billed).
      this.ctx.deps.log.warn('last heartbeat unknown', { instanceId, error: errorMessage(error) });
      return undefined;
    }
  }

  private async holdSlots(calls: Iterable<Call>): Promise<void> {
    const list = [...calls];
    const slots = this.ctx.slotsOf(list);
    if (slots.length > 0 && this.ctx.deps.pstn) await this.ctx.deps.pstn.capacity.hold(slots);
    // [call-policy hook] and the callers' and callees' per-user slots.
    const admitted = list.filter((call) => !call.emergency && (call.caller.userId || call.callee?.userId) && !call.state.isFinal).map(admittedCallOf);
    if (admitted.length > 0) await this.ctx.deps.admission?.hold(admitted);
  }

  private async destroyLeftBridge(bridgeId: string): Promise<void> {
    this.ctx.deps.log.warn('destroying a bridge that belongs to no call', { bridgeId });
    await this.ctx.safely(this.ctx.deps.log, 'destroy left bridge', () => this.ctx.deps.switchControl.destroyBridge(bridgeId));
  }
}
