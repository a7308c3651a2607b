import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { InterceptJobs } from '../../../app/intercept/intercept-jobs';
import { silentLogger } from '../../../app/shared/infra/logger';
import { alice, bob, carol, interceptHarness, type InterceptHarness } from './harness';

describe('warrant lifecycle on live calls', function () {
  let h: InterceptHarness;
  const kinds = (warrantId: string): string[] => h.repo.events.filter((e) => e.warrantId === warrantId).map((e) => e.kind);

  beforeEach(function () {
    h = interceptHarness();
  });

  it('given alice in an answered call, when a content warrant on her is activated, then her leg is tapped at once', async function () {
    const callId = randomUUID();
    h.liveCall(callId, bob, alice);
    const warrant = await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    expect(h.tap.started.map((s) => s.channelId)).to.deep.equal([`chan-${callId}-callee`]);
    expect(kinds(warrant.id)).to.deep.equal(['warrant.activated', 'iri.begin', 'iri.answer', 'content.started']);
    expect(h.repo.events.find((e) => e.kind === 'iri.begin')?.payload).to.deep.include({ midCall: true, targetRole: 'callee' });
  });

  it('given alice in a call still ringing, when a warrant is activated, then the intercept begins and the tap waits for the answer', async function () {
    const callId = randomUUID();
    h.liveCall(callId, alice, bob, false);
    const warrant = await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    expect(h.tap.started).to.deep.equal([]);
    h.liveCall(callId, alice, bob, true);
    await h.interceptor.handle(h.callEvents(callId, alice, bob).answered);
    expect(h.tap.started.map((s) => s.channelId)).to.deep.equal([`chan-${callId}-caller`]);
    expect(kinds(warrant.id)).to.include.members(['iri.begin', 'iri.answer', 'content.started']);
  });

  it('given a tapped call, when the warrant is deactivated, then the tap is closed and the intercept stops', async function () {
    const callId = randomUUID();
    h.liveCall(callId, alice, bob);
    const warrant = await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    await h.warrants.deactivate(warrant.id);
    expect(h.tap.stopped).to.have.length(1);
    expect(kinds(warrant.id).slice(-3)).to.deep.equal(['warrant.deactivated', 'content.stopped', 'intercept.stopped']);
    // The call's own end is no longer recorded for it.
    await h.interceptor.handle(h.callEvents(callId, alice, bob).ended);
    expect(kinds(warrant.id)).to.not.include('iri.end');
  });

  it('given a tapped call, when alice is removed from the targets, then her call stops being intercepted; when content is switched off, recording stops but events go on', async function () {
    const first = randomUUID();
    h.liveCall(first, alice, bob);
    const warrant = await h.warrant([{ type: 'sipUsername', value: 'alice' }, { type: 'sipUsername', value: 'carol' }]);
    await h.warrants.modify(warrant.id, { targets: [{ type: 'sipUsername', value: 'carol' }] });
    expect(kinds(warrant.id)).to.include('intercept.stopped');

    const second = randomUUID();
    h.liveCall(second, carol, bob);
    await h.warrants.reconcile((await h.repo.getWarrant(warrant.id))!);
    await h.warrants.modify(warrant.id, { content: false });
    const intercept = [...h.repo.intercepts.values()].find((i) => i.callId === second);
    expect(intercept).to.include({ state: 'answered', contentState: 'none' });
    await h.interceptor.handle(h.callEvents(second, carol, bob).ended);
    expect(kinds(warrant.id).at(-1)).to.equal('iri.end');
  });

  it('given a warrant whose window opens during a call, when the job ticks, then the call is intercepted; when it closes, interception stops', async function () {
    const callId = randomUUID();
    h.liveCall(callId, alice, bob);
    const warrant = await h.warrant([{ type: 'sipUsername', value: 'alice' }], { fromMs: 1000, untilMs: 5000 });
    expect(h.tap.started).to.deep.equal([]);
    const jobs = new InterceptJobs({ ...h, collector: h.collector, log: silentLogger, options: { tickMs: 1000, verifyIntervalMs: 60_000, instanceId: 'test' } });
    h.advance(1500);
    await jobs.tick();
    expect(h.tap.started).to.have.length(1);
    h.advance(4000);
    await jobs.tick();
    // The same tick collects the recording that just ended.
    expect(kinds(warrant.id).slice(-3)).to.deep.equal(['content.stopped', 'intercept.stopped', 'recording.stored']);
    expect(h.repo.events.find((e) => e.kind === 'intercept.stopped')?.payload).to.deep.include({ reason: 'outside_validity' });
  });

  it('refuses a window that ends before it starts, and changes to a deactivated warrant', async function () {
    try {
      await h.warrant([{ type: 'sipUsername', value: 'alice' }], { fromMs: 10, untilMs: 5 });
      expect.fail('should refuse');
    } catch (error) {
      expect(error).to.have.property('code', 'WARRANT.INVALID');
    }
    const warrant = await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    await h.warrants.deactivate(warrant.id);
    try {
      await h.warrants.modify(warrant.id, { content: false });
      expect.fail('should refuse');
    } catch (error) {
      expect(error).to.have.property('code', 'WARRANT.DEACTIVATED');
    }
  });
});
