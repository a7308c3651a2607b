import { CALL_SUBJECTS, type PublishableEvent } from '../shared/events';
import { type CallId, type Clock, type Scheduler } from '../shared/kernel';
import { KeyedSerialQueue } from '../shared/kernel/keyed-queue';
import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type Call } from './call';
import { CallCredit } from './call-credit';
import { CallTimers } from './call-timers';
import { PendingStoreWrites } from './pending-store-writes';
import {
  type AnswerObserver,
  type CallAuthorizer,
  type CallMetrics,
  type CallStore,
  type CarrierCapacity,
  type CarrierDirectory,
  type CarrierSlot,
  type ConnectionLookup,
  type InstanceRegistry,
  type Router,
  type SubscriberDirectory,
  type SwitchCallLog,
  type SwitchControl,
} from './ports';
import { type CallAdmission } from './call-admission-port';
import { type CallState, IllegalTransitionError } from './states';

export interface CallStateManagerDeps {
  switchControl: SwitchControl;
  // Billing (the design's continueCall). Without one, every call may go on without limit.
  authorizer?: CallAuthorizer;
  // The caller hears a warning tone this long before a paid call is cut off (0 or unset: never).
  creditWarningSeconds?: number;
  directory: SubscriberDirectory;
  connections: ConnectionLookup;
  store: CallStore;
  clock: Clock;
  scheduler: Scheduler;
  log: Logger;
  ringTimeoutSeconds: number;
  // stasis (default): the controller originates and bridges every leg; dialplan: it decides in its
  // application, then the switch's Dial() rings and bridges (switch-dialling.ts).
  callPath?: 'stasis' | 'dialplan';
  // Figures for operators (calls started, answered, ended by cause, live); none when unset.
  metrics?: CallMetrics;
  // This controller instance, and what is known of the others (their heartbeats). Without them,
  // a call found ended after a restart ends at its last recorded change.
  instanceId?: string;
  instances?: InstanceRegistry;
  // The switch's own record of answers and hang-ups: a call that ended while the controller was
  // away ends at the switch's hang-up time. Without it, at its last known heartbeat.
  switchLog?: SwitchCallLog;
  // [call-policy hook] Emergency numbers, suspension, limits and fraud caps (app/call-policy),
  // decided before routing and billing. Without one, every call is allowed.
  admission?: CallAdmission;
  // A controller of one switch node of a fleet takes over only its own calls: a stopped peer's
  // calls live on another Asterisk, which this one cannot see (it would end them as gone).
  ownCallsOnly?: boolean;
  // [intercept hook] Told of each answer (lawful intercept's tap from the call path).
  answerObserver?: AnswerObserver;
  // Calls to the phone network. Without a router, numbers that are not users' are unknown (404).
  pstn?: {
    router: Router;
    carriers: CarrierDirectory;
    capacity: CarrierCapacity;
    // A carrier that gives no provisional response (18x) this long after the INVITE is given up on.
    progressTimeoutSeconds: number;
  };
}

// What the parts of the call state manager share: the live calls this instance drives, the
// channel -> call index that routes switch events, the per-call queue, the timers, and the small
// helpers every part uses.
export class CallContext {
  readonly queue = new KeyedSerialQueue();
  readonly calls = new Map<string, Call>();
  readonly channelToCall = new Map<string, CallId>();
  readonly timers: CallTimers;
  readonly credit: CallCredit;
  // Carrier call slots held by live legs (released once, when the leg is gone).
  readonly heldSlots = new Map<string, string>();
  // Legs whose originate request has not been answered yet: the switch may or may not have created
  // their channel, so a channel list taken meanwhile says nothing about them.
  readonly originating = new Set<string>();
  // Store writes refused while Redis is down, written again until it takes them.
  readonly pendingWrites: PendingStoreWrites;
  // Calls that take the lean path (CALL_PATH=dialplan), those whose targets the switch dials, the endpoint each of their
  // legs is dialled at, and those whose caller is out in the switch's dialplan right now.
  readonly switchDiallable = new Set<string>();
  readonly dialledBySwitch = new Set<string>();
  readonly switchTargets = new Map<string, string>();
  // The switch's channel of each target it dials -> that target's leg (its channel id here).
  readonly switchLegs = new Map<string, string>();
  readonly callerInDialplan = new Set<string>();

  constructor(readonly deps: CallStateManagerDeps) {
    this.timers = new CallTimers(deps.clock, deps.scheduler, { warningSeconds: deps.creditWarningSeconds ?? 0 });
    this.credit = new CallCredit(deps.authorizer, deps.clock);
    this.pendingWrites = new PendingStoreWrites(deps.store, deps.scheduler, deps.log.child({ module: 'call-store' }));
  }

  // A call's work started by a timer (ring timeout, credit, carrier progress): run in the call's
  // queue, and never left to reject unheard (an unhandled rejection would end the controller).
  runTimed(callId: CallId, what: string, task: () => Promise<void>): void {
    this.queue.run(callId, task).catch((error: unknown) => {
      this.deps.log.error('call timer task failed', { callId, timer: what, error: errorMessage(error) });
    });
  }

  // Drives this call from now on. Carrier legs still up hold their slot (taken by this or a
  // previous instance): they give it back when they end.
  adopt(call: Call): void {
    this.calls.set(call.id, call);
    for (const channelId of call.channelIds()) this.channelToCall.set(channelId, call.id);
    for (const leg of call.legs) if (leg.carrierId !== undefined && !leg.state.released) this.heldSlots.set(leg.channelId, leg.carrierId);
  }

  // The carrier slots the legs of these calls hold.
  slotsOf(calls: Iterable<Call>): CarrierSlot[] {
    const slots: CarrierSlot[] = [];
    for (const call of calls) {
      for (const leg of call.legs) {
        const carrierId = this.heldSlots.get(leg.channelId);
        if (carrierId !== undefined) slots.push({ carrierId, legId: leg.channelId });
      }
    }
    return slots;
  }

  forget(call: Call): void {
    this.timers.disarmAll(call.id);
    this.switchDiallable.delete(call.id);
    this.dialledBySwitch.delete(call.id);
    this.callerInDialplan.delete(call.id);
    for (const leg of call.legs) this.switchTargets.delete(leg.channelId);
    if (this.switchLegs.size > 0) for (const [target, leg] of this.switchLegs) if (call.leg(leg)) this.switchLegs.delete(target);
    this.calls.delete(call.id);
    for (const channelId of call.channelIds()) this.channelToCall.delete(channelId);
  }

  // A write the store refuses is kept and written again once it is back (pending-store-writes.ts);
  // mustPersist (a new call): refused at once with CallStoreUnavailableError instead. An emergency
  // call never waits on the store.
  async save(call: Call, events: PublishableEvent[] = [], options: { mustPersist?: boolean } = {}): Promise<void> {
    this.tellAnswer(call, events);
    if (call.emergency) this.unblocked(call, 'save', this.pendingWrites.save(call, events, {}));
    else await this.pendingWrites.save(call, events, options);
    this.observe(events);
  }

  // [intercept hook] Before the write: a store outage must not hold up the tap.
  private tellAnswer(call: Call, events: readonly PublishableEvent[]): void {
    const observer = this.deps.answerObserver;
    const answered = observer && events.find((event) => event.type === CALL_SUBJECTS.answered);
    if (!observer || !answered || call.caller.channelId === '') return;
    const { channelId: caller, ...callerParty } = call.caller;
    const callee = call.answeredLeg;
    try {
      observer.answered({ callId: call.id, caller: callerParty, ...(call.callee ? { callee: call.callee } : {}), channels: { caller, ...(callee ? { callee } : {}) }, at: new Date(call.timeOf('answered') ?? this.deps.clock.now().getTime()) });
    } catch (error) {
      this.logFor(call).warn('answer observer failed', { error: errorMessage(error) });
    }
  }

  // Forgets a finished call in the store, queueing its last events in the same step.
  async remove(call: Call, events: PublishableEvent[]): Promise<void> {
    if (call.emergency) this.unblocked(call, 'delete', this.pendingWrites.remove(call, events));
    else await this.pendingWrites.remove(call, events);
    this.observe(events);
  }

  // [call-policy hook] An emergency call never waits on the store, nor fails with it: its writes
  // go out in order on the store's connection, and a failed one is logged (its events are lost).
  private unblocked(call: Call, what: string, write: Promise<void>): void {
    write.catch((error: unknown) => this.logFor(call).error('emergency call not written to the store: it goes on', { write: what, error: errorMessage(error) }));
  }

  private observe(events: PublishableEvent[]): void {
    if (events.length > 0) this.deps.metrics?.observe(events, this.calls.size);
  }

  // Applies a transition; an illegal one is logged and ignored (false), never thrown at the caller.
  transition(call: Call, change: (state: CallState) => CallState, log: Logger, at?: Date): boolean {
    try {
      return call.apply(change, at ?? this.deps.clock.now());
    } catch (error) {
      if (error instanceof IllegalTransitionError) {
        log.warn('illegal transition ignored', { from: error.from, transition: error.transition });
        return false;
      }
      throw error;
    }
  }

  logFor(call: Call): Logger {
    return this.deps.log.child({ callId: call.id, from: call.caller.username || call.caller.phoneNumber, to: call.dialed });
  }

  // A switch command that may fail without stopping the rest of the clean-up; the failure is logged.
  async safely(log: Logger, what: string, command: () => Promise<void>): Promise<void> {
    try {
      await command();
    } catch (error) {
      log.warn('switch command failed', { command: what, error: errorMessage(error) });
    }
  }

  // Gives a carrier call slot back, once per leg.
  async releaseSlot(channelId: string, log: Logger): Promise<void> {
    const carrierId = this.heldSlots.get(channelId);
    if (carrierId === undefined || !this.deps.pstn) return;
    this.heldSlots.delete(channelId);
    try {
      await this.deps.pstn.capacity.release(carrierId, channelId);
    } catch (error) {
      log.warn('carrier slot not released', { carrierId, error: errorMessage(error) });
    }
  }
}
