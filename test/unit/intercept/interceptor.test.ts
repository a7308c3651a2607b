import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { alice, bob, carol, interceptHarness, type InterceptHarness } from './harness';

describe('interceptor', function () {
  let h: InterceptHarness;
  const kinds = (warrantId: string): string[] => h.repo.events.filter((e) => e.warrantId === warrantId).map((e) => e.kind);

  beforeEach(function () {
    h = interceptHarness();
  });

  async function runCall(callId: string, caller = alice, callee = bob): Promise<void> {
    const events = h.callEvents(callId, caller, callee);
    h.liveCall(callId, caller, callee, false);
    await h.interceptor.handle(events.requested);
    await h.interceptor.handle(events.routed);
    h.liveCall(callId, caller, callee, true);
    await h.interceptor.handle(events.answered);
    h.live.delete(callId);
    await h.interceptor.handle(events.ended);
  }

  it('given a content warrant on the caller, when the call runs, then begin, answer, end are recorded under one correlation id and the caller leg is tapped', async function () {
    const warrant = await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    const callId = randomUUID();
    await runCall(callId);
    expect(kinds(warrant.id)).to.deep.equal(['warrant.activated', 'iri.begin', 'iri.continue', 'iri.answer', 'content.started', 'content.stopped', 'iri.end']);
    const [intercept] = [...h.repo.intercepts.values()];
    expect(new Set(h.repo.events.filter((e) => e.callId).map((e) => e.interceptId))).to.deep.equal(new Set([intercept?.id]));
    expect(h.tap.started.map((s) => s.channelId)).to.deep.equal([`chan-${callId}-caller`]);
    expect(intercept).to.include({ state: 'ended', contentState: 'stopped', targetRole: 'caller' });
  });

  it('given a warrant on the callee by phone number, then the callee leg is tapped', async function () {
    await h.warrant([{ type: 'phoneNumber', value: bob.phoneNumber }]);
    const callId = randomUUID();
    await runCall(callId);
    expect(h.tap.started.map((s) => s.channelId)).to.deep.equal([`chan-${callId}-callee`]);
    const begin = h.repo.events.find((e) => e.kind === 'iri.begin');
    expect(begin?.payload).to.deep.include({ targetRole: 'callee' });
  });

  it('given an events-only warrant, then the call is recorded as events and never tapped', async function () {
    const warrant = await h.warrant([{ type: 'user', value: alice.userId }], { content: false });
    await runCall(randomUUID());
    expect(kinds(warrant.id)).to.deep.equal(['warrant.activated', 'iri.begin', 'iri.continue', 'iri.answer', 'iri.end']);
    expect(h.tap.started).to.deep.equal([]);
  });

  it('given a call of non-targets, then nothing is intercepted', async function () {
    await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    await runCall(randomUUID(), carol, bob);
    expect(h.repo.intercepts.size).to.equal(0);
    expect(h.tap.started).to.deep.equal([]);
  });

  it('given an expired warrant, or one not yet valid, then nothing is intercepted', async function () {
    await h.warrant([{ type: 'sipUsername', value: 'alice' }], { fromMs: -7200_000, untilMs: -3600_000 });
    await h.warrant([{ type: 'sipUsername', value: 'alice' }], { fromMs: 3600_000, untilMs: 7200_000 });
    await runCall(randomUUID());
    expect(h.repo.intercepts.size).to.equal(0);
  });

  it('given two agencies with warrants on the same user, then each gets its own intercept and tap', async function () {
    const first = await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    const other = await h.repo.createAgency('Other', 'h2');
    const second = await h.warrants.activate({ agencyId: other.id, targets: [{ type: 'user', value: alice.userId }], content: true, validFrom: new Date(0), validUntil: new Date('2100-01-01') });
    await runCall(randomUUID());
    expect(h.tap.started).to.have.length(2);
    expect(kinds(first.id)).to.include('iri.end');
    expect(kinds(second.id)).to.include('iri.end');
  });

  it('given the same event delivered twice, then it is recorded once', async function () {
    const warrant = await h.warrant([{ type: 'sipUsername', value: 'alice' }], { content: false });
    const events = h.callEvents(randomUUID(), alice, bob);
    await h.interceptor.handle(events.requested);
    await h.interceptor.handle(events.requested);
    expect(kinds(warrant.id)).to.deep.equal(['warrant.activated', 'iri.begin']);
  });

  it('given the tap cannot start, then the call is untouched, the failure is a record and an alert, and it is retried', async function () {
    const warrant = await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    const callId = randomUUID();
    const events = h.callEvents(callId, alice, bob);
    h.tap.failNext = 1;
    h.liveCall(callId, alice, bob, true);
    await h.interceptor.handle(events.requested);
    await h.interceptor.handle(events.answered);
    expect(kinds(warrant.id)).to.include('content.failed');
    expect(h.alerts.contentFailed).to.have.length(1);
    const [intercept] = [...h.repo.intercepts.values()];
    expect(intercept).to.include({ contentState: 'failed', contentAttempts: 1 });
    expect(await h.repo.contentRetriesDue(h.clock.now())).to.deep.equal([]);
    h.advance(2500);
    const due = await h.repo.contentRetriesDue(h.clock.now());
    expect(due).to.have.length(1);
    await h.interceptor.retryContent(due[0] as never);
    expect(h.tap.started).to.have.length(1);
    expect([...h.repo.intercepts.values()][0]?.contentState).to.equal('active');
  });

  it('given a start abandoned half-way (its worker died), then the retry job takes it over once its claim expires', async function () {
    await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    const callId = randomUUID();
    h.liveCall(callId, alice, bob, true);
    await h.interceptor.handle(h.callEvents(callId, alice, bob).requested);
    const [intercept] = [...h.repo.intercepts.values()];
    await h.repo.updateIntercept(intercept!.id, { state: 'answered' });
    expect(await h.repo.claimContentStart(intercept!.id, ['wanted'], h.clock.now(), new Date(h.clock.now().getTime() + 30_000))).to.equal(true);
    expect(await h.repo.contentRetriesDue(h.clock.now())).to.deep.equal([]);
    h.advance(31_000);
    const [due] = await h.repo.contentRetriesDue(h.clock.now());
    await h.interceptor.retryContent(due!);
    expect(h.tap.started).to.have.length(1);
    expect(h.repo.intercepts.get(intercept!.id)?.contentState).to.equal('active');
  });

  it('given a failed tap on a call that has ended, then the retry gives up quietly', async function () {
    await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    const callId = randomUUID();
    const events = h.callEvents(callId, alice, bob);
    h.tap.failNext = 1;
    h.liveCall(callId, alice, bob, true);
    await h.interceptor.handle(events.requested);
    await h.interceptor.handle(events.answered);
    h.live.delete(callId);
    const [intercept] = [...h.repo.intercepts.values()];
    await h.interceptor.retryContent(intercept as never);
    expect(h.tap.started).to.deep.equal([]);
    expect([...h.repo.intercepts.values()][0]?.contentState).to.equal('stopped');
  });
});
