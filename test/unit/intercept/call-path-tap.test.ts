import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { CallPathTap, firstTapIdOf } from '../../../app/intercept/call-path-tap';
import { tapOf } from '../../../app/intercept/content-recorder';
import { silentLogger } from '../../../app/shared/infra/logger';
import { alice, bob, interceptHarness, type InterceptHarness } from './harness';

// The tap started by the call path at the answer (app/intercept/call-path-tap.ts), and the
// consumer adopting it when the call's events reach it: one recording, whenever they arrive.
describe('intercept: the call path taps at the answer', function () {
  let h: InterceptHarness;
  let callPath: CallPathTap;
  const kinds = (warrantId: string): string[] => h.repo.events.filter((e) => e.warrantId === warrantId).map((e) => e.kind);
  const answer = (callId: string) => callPath.answered({ callId, caller: alice, callee: bob, channels: { caller: `chan-${callId}-caller`, callee: `chan-${callId}-callee` }, at: h.clock.now() });

  beforeEach(function () {
    h = interceptHarness();
    callPath = new CallPathTap({ repo: h.repo, tap: h.tap, log: silentLogger });
  });

  it('given a content warrant on the caller in its cache, when the call is answered, then the caller leg is tapped under the first segment names, with no record written', async function () {
    const warrant = await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    await callPath.refresh();
    const callId = randomUUID();
    const events = h.repo.events.length;
    await answer(callId);
    expect(h.tap.started).to.deep.equal([{ channelId: `chan-${callId}-caller`, tapId: firstTapIdOf(callId, warrant.id, 'caller') }]);
    expect(h.repo.events).to.have.length(events);
  });

  it('given an events-only warrant, or a warrant not yet in the cache, then the call path taps nothing', async function () {
    await h.warrant([{ type: 'sipUsername', value: 'alice' }], { content: false });
    await callPath.refresh();
    await h.warrant([{ type: 'sipUsername', value: 'bob' }]);
    await answer(randomUUID());
    expect(h.tap.started).to.deep.equal([]);
  });

  it('given the switch refuses the tap, then the answer goes on (nothing thrown)', async function () {
    await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    await callPath.refresh();
    h.tap.failNext = 1;
    await answer(randomUUID());
    expect(h.tap.started).to.deep.equal([]);
  });

  it('given a call tapped at its answer and still up, when its events reach the consumer, then it adopts the running tap: one recording, no second tap', async function () {
    const warrant = await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    await callPath.refresh();
    const callId = randomUUID();
    await answer(callId);
    const tap = tapOf(firstTapIdOf(callId, warrant.id, 'caller'));
    h.tap.live.add(tap.nameIn);
    h.tap.live.add(tap.nameOut);
    const events = h.callEvents(callId, alice, bob);
    h.liveCall(callId, alice, bob, true);
    for (const event of [events.requested, events.routed, events.answered]) await h.interceptor.handle(event);
    expect(h.tap.started).to.have.length(1);
    const recordings = [...h.repo.recordings.values()];
    expect(recordings.map((r) => ({ segment: r.segment, tap: r.tap, state: r.state }))).to.deep.equal([{ segment: 1, tap, state: 'recording' }]);
    const started = h.repo.events.find((e) => e.kind === 'content.started');
    expect(started?.payload).to.include({ startedBy: 'call path' });
  });

  it('given a call tapped at its answer that ended before its events reached the consumer (NATS down), then its recording is adopted, ended, and collected with both directions', async function () {
    const warrant = await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    await callPath.refresh();
    const callId = randomUUID();
    await answer(callId);
    const events = h.callEvents(callId, alice, bob);
    for (const event of [events.requested, events.routed, events.answered, events.ended]) await h.interceptor.handle(event);
    expect(kinds(warrant.id)).to.deep.equal(['warrant.activated', 'iri.begin', 'iri.continue', 'iri.answer', 'content.started', 'iri.end']);
    const [recording] = [...h.repo.recordings.values()];
    expect(recording).to.include({ segment: 1, state: 'ended' });
    await h.collector.collectDue();
    const stored = h.repo.events.find((e) => e.kind === 'recording.stored');
    expect(stored?.payload).to.not.have.property('missingDirections');
    expect([...h.repo.recordings.values()][0]).to.include({ state: 'stored' });
  });

  it('given a call over that the call path never tapped, then nothing is adopted and content is stopped as before', async function () {
    await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    const callId = randomUUID();
    const events = h.callEvents(callId, alice, bob);
    for (const event of [events.requested, events.routed, events.answered, events.ended]) await h.interceptor.handle(event);
    expect(h.repo.recordings.size).to.equal(0);
    expect([...h.repo.intercepts.values()][0]).to.include({ contentState: 'stopped' });
  });
});
