import { randomBytes, randomUUID } from 'node:crypto';
import { ContentRecorder } from '../../../app/intercept/content-recorder';
import { ChainCheckpoints } from '../../../app/intercept/chain-checkpoint';
import { EvidenceCipher } from '../../../app/intercept/evidence-cipher';
import { EvidenceKeyRing } from '../../../app/intercept/evidence-keys';
import { EvidenceVault } from '../../../app/intercept/evidence-vault';
import { EvidenceVerifier } from '../../../app/intercept/evidence-verifier';
import { Interceptor } from '../../../app/intercept/interceptor';
import { type InterceptAlerts, type LiveCall, type LiveCallDirectory, type WarrantTarget } from '../../../app/intercept/ports';
import { RecordingCollector } from '../../../app/intercept/recording-collector';
import { RetentionJob } from '../../../app/intercept/retention';
import { matchesIdentity } from '../../../app/intercept/warrant';
import { WarrantService } from '../../../app/intercept/warrant-service';
import { type CallEvent } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { FakeContentTap } from '../../support/fakes/fake-content-tap';
import { InMemoryEvidenceLocation } from '../../support/fakes/in-memory-evidence-location';
import { InMemoryInterceptRepository } from '../../support/fakes/in-memory-intercept-repository';

export const alice = { userId: randomUUID(), username: 'alice', phoneNumber: '+14155550101' };
export const bob = { userId: randomUUID(), username: 'bob', phoneNumber: '+14155550102' };
export const carol = { userId: randomUUID(), username: 'carol', phoneNumber: '+14155550103' };

// The intercept module's services over in-memory adapters and a clock the test moves.
export function interceptHarness() {
  let now = new Date('2026-11-25T10:00:00.000Z');
  const clock = { now: () => new Date(now.getTime()) };
  // Timers that fire only when the test moves the clock.
  let timers: { at: number; task: () => void; cancelled: boolean }[] = [];
  const scheduler = {
    after(ms: number, task: () => void) {
      const timer = { at: now.getTime() + ms, task, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    pending: () => timers.filter((timer) => !timer.cancelled).map((timer) => timer.at - now.getTime()),
  };
  const keys = new EvidenceKeyRing(randomBytes(32));
  const repo = new InMemoryInterceptRepository(keys);
  const tap = new FakeContentTap();
  const live = new Map<string, LiveCall>();
  const liveCalls: LiveCallDirectory = {
    liveCallsOf: (targets: WarrantTarget[]) => Promise.resolve([...live.values()].filter((c) => matchesIdentity(targets, c.caller) || matchesIdentity(targets, c.callee))),
    find: (callId) => Promise.resolve(live.get(callId)),
  };
  const alerts: { contentFailed: unknown[]; evidenceProblems: Record<string, unknown>[] } = { contentFailed: [], evidenceProblems: [] };
  const alertSink: InterceptAlerts = { contentFailed: (d) => alerts.contentFailed.push(d), evidenceProblem: (d) => alerts.evidenceProblems.push(d) };
  const locations = ['a', 'b', 'c'].map((name) => new InMemoryEvidenceLocation(name));
  const vault = new EvidenceVault(locations, new EvidenceCipher(keys));
  const checkpoints = new ChainCheckpoints({ repo, vault, clock, alerts: alertSink, log: silentLogger });
  const collector = new RecordingCollector({ repo, tap, vault, alerts: alertSink, clock, log: silentLogger, retentionDays: 3650 });
  const content = new ContentRecorder({ repo, tap, alerts: alertSink, clock, log: silentLogger, onRecordingEnded: () => undefined, adoptWaitMs: 0 });
  const interceptor = new Interceptor({ repo, content, liveCalls, clock, log: silentLogger });
  const warrants = new WarrantService({ repo, interceptor, clock, log: silentLogger });
  const verifier = new EvidenceVerifier({ repo, vault, keys, checkpoints, alerts: alertSink, log: silentLogger, now: clock.now });
  const retention = new RetentionJob({ repo, vault, clock, log: silentLogger, retentionDays: 3650 });
  const agency = { id: '' };

  return {
    repo,
    tap,
    live,
    alerts,
    locations,
    collector,
    vault,
    keys,
    checkpoints,
    interceptor,
    warrants,
    verifier,
    retention,
    clock,
    scheduler,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
      const due = timers.filter((timer) => !timer.cancelled && timer.at <= now.getTime());
      timers = timers.filter((timer) => !due.includes(timer));
      for (const timer of due) timer.task();
    },
    async agency(): Promise<string> {
      agency.id ||= (await repo.createAgency('Agency', 'hash')).id;
      return agency.id;
    },
    async warrant(targets: WarrantTarget[], options: { content?: boolean; fromMs?: number; untilMs?: number } = {}) {
      return warrants.activate({
        agencyId: await this.agency(),
        targets,
        content: options.content ?? true,
        validFrom: new Date(now.getTime() + (options.fromMs ?? -3600_000)),
        validUntil: new Date(now.getTime() + (options.untilMs ?? 3600_000)),
      });
    },
    // The events of one answered call from `caller` to `callee`, as the call state manager publishes them.
    callEvents(callId: string, caller: typeof alice, callee: typeof bob, talkMs = 5000): { requested: CallEvent; routed: CallEvent; answered: CallEvent; ended: CallEvent } {
      const at = (ms: number): string => new Date(now.getTime() + ms).toISOString();
      const base = (type: string, ms: number) => ({ id: `${callId}-${type}`, version: 1 as const, callId, occurredAt: at(ms) });
      return {
        requested: { ...base('call.v1.requested', 0), type: 'call.v1.requested', caller, dialed: callee.username, channels: { caller: `chan-${callId}-caller` } },
        routed: { ...base('call.v1.routed', 10), type: 'call.v1.routed', callee, devices: 1 },
        answered: { ...base('call.v1.answered', 1000), type: 'call.v1.answered', setupMs: 1000, channels: { caller: `chan-${callId}-caller`, callee: `chan-${callId}-callee` } },
        // Cast: the test builds only the fields the interceptor reads; the schema may grow others.
        ended: {
          ...base('call.v1.ended', 1000 + talkMs),
          type: 'call.v1.ended',
          caller,
          callee,
          dialed: callee.username,
          cause: 'completed',
          requestedAt: at(0),
          answeredAt: at(1000),
          endedAt: at(1000 + talkMs),
          talkMs,
          quality: {},
          history: [],
        } as unknown as CallEvent,
      };
    },
    liveCall(callId: string, caller: typeof alice, callee: typeof bob, answered = true): LiveCall {
      const call = { callId, caller, callerChannelId: `chan-${callId}-caller`, callee, calleeChannelId: `chan-${callId}-callee`, answered };
      live.set(callId, call);
      return call;
    },
  };
}

export type InterceptHarness = ReturnType<typeof interceptHarness>;
