import { type CallAnswered, type CallEnded, type CallEvent, type CallRequested, type CallRouted } from '../shared/events';
import { type Clock } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type ContentRecorder } from './content-recorder';
import { type Intercept, type InterceptRepository, type TargetRole } from './model';
import { type Identity, type LiveCall, type LiveCallDirectory } from './ports';
import { matchesIdentity, type Warrant } from './warrant';

export interface InterceptorDeps {
  repo: InterceptRepository;
  content: ContentRecorder;
  liveCalls: LiveCallDirectory;
  clock: Clock;
  log: Logger;
}

// Reacts to call events (call.v1.*) and to warrant changes: opens an intercept for every call
// of a target, records its intercept-related events (begin, answer, end: the IRI of ETSI's
// model) in the warrant's hash chain, and taps the target's leg when the warrant covers content.
// It acts on its own durable consumer, after the fact: nothing on the call path waits for it.
export class Interceptor {
  constructor(private readonly deps: InterceptorDeps) {}

  async handle(event: CallEvent): Promise<void> {
    switch (event.type) {
      case 'call.v1.requested':
        return this.requested(event);
      case 'call.v1.routed':
        return this.routed(event);
      case 'call.v1.answered':
        return this.answered(event);
      case 'call.v1.ended':
        return this.ended(event);
      default:
        return undefined;
    }
  }

  private async requested(event: CallRequested): Promise<void> {
    const at = new Date(event.occurredAt);
    for (const warrant of await this.deps.repo.warrantsTargeting(event.caller, at)) {
      await this.begin(warrant, { callId: event.callId, role: 'caller', at, parties: { caller: event.caller, dialed: event.dialed }, channelId: event.channels?.caller });
    }
  }

  private async routed(event: CallRouted): Promise<void> {
    const { repo } = this.deps;
    const at = new Date(event.occurredAt);
    // Intercepts begun on the caller learn who the callee is.
    for (const intercept of await repo.interceptsOfCall(event.callId)) {
      if (intercept.state === 'ended') continue;
      await repo.appendEvent(intercept.warrantId, {
        dedupeKey: `${event.callId}:routed`,
        kind: 'iri.continue',
        interceptId: intercept.id,
        callId: event.callId,
        occurredAt: at,
        payload: { correlationId: intercept.id, step: 'routed', callee: event.callee, devices: event.devices },
      });
    }
    const warrants = await repo.warrantsTargeting(event.callee, at);
    if (warrants.length === 0) return;
    const call = await this.deps.liveCalls.find(event.callId);
    for (const warrant of warrants) {
      await this.begin(warrant, { callId: event.callId, role: 'callee', at, parties: { ...(call ? { caller: call.caller } : {}), callee: event.callee } });
    }
  }

  private async answered(event: CallAnswered): Promise<void> {
    const { repo } = this.deps;
    const intercepts = (await repo.interceptsOfCall(event.callId)).filter((intercept) => intercept.state === 'begun');
    if (intercepts.length === 0) return;
    const at = new Date(event.occurredAt);
    // The event names the channels; a call no longer up (an old event replayed) gets no tap.
    const call = await this.deps.liveCalls.find(event.callId);
    const channels = { caller: event.channels?.caller ?? call?.callerChannelId, callee: event.channels?.callee ?? call?.calleeChannelId };
    for (const intercept of intercepts) {
      const channelId = channels[intercept.targetRole];
      await repo.updateIntercept(intercept.id, { state: 'answered', answeredAt: at, ...(channelId ? { targetChannelId: channelId } : {}) });
      await repo.appendEvent(intercept.warrantId, {
        dedupeKey: `${event.callId}:answered`,
        kind: 'iri.answer',
        interceptId: intercept.id,
        callId: event.callId,
        occurredAt: at,
        payload: { correlationId: intercept.id, answeredAt: event.occurredAt, setupMs: event.setupMs },
      });
      if (intercept.contentState === 'wanted') await this.startContent({ ...intercept, state: 'answered' }, channelId, call);
    }
  }

  private async ended(event: CallEnded): Promise<void> {
    const { repo } = this.deps;
    for (const intercept of await repo.interceptsOfCall(event.callId)) {
      if (intercept.state === 'ended') continue;
      await this.deps.content.stop(intercept, 'call_ended');
      await repo.updateIntercept(intercept.id, { state: 'ended', endedAt: new Date(event.endedAt) });
      await repo.appendEvent(intercept.warrantId, {
        dedupeKey: `${event.callId}:end`,
        kind: 'iri.end',
        interceptId: intercept.id,
        callId: event.callId,
        occurredAt: new Date(event.endedAt),
        payload: {
          correlationId: intercept.id,
          caller: event.caller,
          ...(event.callee ? { callee: event.callee } : {}),
          dialed: event.dialed,
          cause: event.cause,
          ...(event.sipCode !== undefined ? { sipCode: event.sipCode } : {}),
          requestedAt: event.requestedAt,
          ...(event.answeredAt ? { answeredAt: event.answeredAt } : {}),
          endedAt: event.endedAt,
          talkMs: event.talkMs,
        },
      });
    }
  }

  // ---- warrants changing while calls are up

  liveCall(callId: string): Promise<LiveCall | undefined> {
    return this.deps.liveCalls.find(callId);
  }

  // Starts intercepting the live calls of the warrant's targets at once (mid-call).
  async attachLive(warrant: Warrant): Promise<number> {
    const now = this.deps.clock.now();
    let attached = 0;
    for (const call of await this.deps.liveCalls.liveCallsOf(warrant.targets)) {
      const role: TargetRole = matchesIdentity(warrant.targets, call.caller) ? 'caller' : 'callee';
      const intercept = await this.begin(warrant, {
        callId: call.callId,
        role,
        at: now,
        midCall: true,
        parties: { caller: call.caller, ...(call.callee ? { callee: call.callee } : {}) },
        channelId: role === 'caller' ? call.callerChannelId : call.calleeChannelId,
        reopen: true,
      });
      if (!intercept) continue;
      attached += 1;
      if (call.answered && intercept.state !== 'ended') {
        if (intercept.state === 'begun') {
          await this.deps.repo.updateIntercept(intercept.id, { state: 'answered', answeredAt: now });
          await this.deps.repo.appendEvent(warrant.id, {
            dedupeKey: `${call.callId}:answered`,
            kind: 'iri.answer',
            interceptId: intercept.id,
            callId: call.callId,
            occurredAt: now,
            payload: { correlationId: intercept.id, midCall: true },
          });
        }
        const current = { ...intercept, state: 'answered' as const };
        if (warrant.content && ['none', 'stopped'].includes(current.contentState)) {
          await this.deps.repo.updateIntercept(intercept.id, { contentState: 'wanted' });
          current.contentState = 'wanted';
        }
        if (current.contentState === 'wanted') await this.startContent(current, role === 'caller' ? call.callerChannelId : call.calleeChannelId, call);
      }
    }
    return attached;
  }

  // Stops intercepting: the warrant was deactivated, expired, or no longer names this party.
  async detach(intercept: Intercept, reason: string): Promise<void> {
    await this.deps.content.stop(intercept, reason);
    await this.deps.repo.updateIntercept(intercept.id, { state: 'ended', endedAt: this.deps.clock.now() });
    await this.deps.repo.appendEvent(intercept.warrantId, {
      dedupeKey: `${intercept.callId}:stopped:${this.deps.clock.now().getTime()}`,
      kind: 'intercept.stopped',
      interceptId: intercept.id,
      callId: intercept.callId,
      occurredAt: this.deps.clock.now(),
      payload: { correlationId: intercept.id, reason },
    });
  }

  // Content of a warrant switched off: recordings stop, events go on.
  async stopContent(intercept: Intercept, reason: string): Promise<void> {
    await this.deps.content.stop(intercept, reason);
    await this.deps.repo.updateIntercept(intercept.id, { contentState: 'none' });
  }

  async retryContent(intercept: Intercept): Promise<void> {
    const call = await this.deps.liveCalls.find(intercept.callId);
    if (!call?.answered) {
      await this.deps.repo.updateIntercept(intercept.id, { contentState: 'stopped', nextAttemptAt: null });
      return;
    }
    await this.startContent(intercept, intercept.targetRole === 'caller' ? call.callerChannelId : call.calleeChannelId, call, true);
  }

  private async startContent(intercept: Intercept, channelId: string | undefined, call: LiveCall | undefined, takeOver = false): Promise<void> {
    if (!call || !channelId) {
      // A call over before its events got here: the call path may have tapped it at its answer.
      if (await this.deps.content.adoptFinished(intercept)) return;
      // Replayed events of a call that is over, or a call the store no longer has: nothing to tap.
      await this.deps.repo.updateIntercept(intercept.id, { contentState: 'stopped' });
      this.deps.log.warn('intercept content not started: the call is not up', { interceptId: intercept.id, callId: intercept.callId });
      return;
    }
    await this.deps.content.start(intercept, channelId, takeOver);
  }

  private async begin(
    warrant: Warrant,
    call: { callId: string; role: TargetRole; at: Date; parties: { caller?: Identity; callee?: Identity; dialed?: string }; channelId?: string; midCall?: boolean; reopen?: boolean },
  ): Promise<Intercept | undefined> {
    const { repo } = this.deps;
    const opened = await repo.openIntercept({
      warrantId: warrant.id,
      callId: call.callId,
      targetRole: call.role,
      ...(call.channelId ? { targetChannelId: call.channelId } : {}),
      state: 'begun',
      contentState: warrant.content ? 'wanted' : 'none',
      begunAt: call.at,
    });
    let intercept = opened.intercept;
    let dedupeKey = `${call.callId}:begin`;
    if (!opened.created && intercept.state === 'ended') {
      if (!call.reopen) return undefined;
      // Interception of this call stopped earlier (window, modification) and starts again.
      const contentState = warrant.content ? 'wanted' : 'none';
      await repo.updateIntercept(intercept.id, { state: 'begun', endedAt: null, contentState, ...(call.channelId ? { targetChannelId: call.channelId } : {}) });
      intercept = { ...intercept, state: 'begun', contentState };
      dedupeKey = `${call.callId}:begin:${call.at.getTime()}`;
    }
    // Appending is idempotent: an intercept begun already (another event, a redelivery) keeps its record.
    await repo.appendEvent(warrant.id, {
      dedupeKey,
      kind: 'iri.begin',
      interceptId: intercept.id,
      callId: call.callId,
      occurredAt: call.at,
      payload: { correlationId: intercept.id, targetRole: call.role, ...call.parties, content: warrant.content, ...(call.midCall ? { midCall: true } : {}) },
    });
    this.deps.log.child({ warrantId: warrant.id, callId: call.callId, interceptId: intercept.id }).info('intercept begun', { targetRole: call.role, midCall: call.midCall ?? false });
    return intercept;
  }
}
