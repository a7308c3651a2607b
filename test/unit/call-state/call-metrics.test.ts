import { expect } from 'chai';
import { Registry } from 'prom-client';
import { type CallMetrics, type CallStateManager, type Party, PrometheusCallMetrics } from '../../../app/call-state';
import { type PublishableEvent } from '../../../app/shared/events';
import { type FakeSwitch } from '../../support/fakes/fake-switch';
import { type ManualTime } from '../../support/fakes/manual-scheduler';
import { type Harness, harness } from './harness';

const alice: Party = { userId: 'u-alice', username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: 'u-bob', username: 'bob', phoneNumber: '+14155550102' };

class RecordingMetrics implements CallMetrics {
  readonly seen: Array<{ types: string[]; liveCalls: number }> = [];
  observe(events: readonly PublishableEvent[], liveCalls: number): void {
    this.seen.push({ types: events.map((event) => event.type), liveCalls });
  }
}

const managerWith = (metrics: CallMetrics): Harness => harness([alice, bob], { metrics });

async function answeredAndHungUp(manager: CallStateManager, sw: FakeSwitch, time: ManualTime, talkMs: number): Promise<void> {
  await manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: time.now() });
  const leg = sw.originated()[0];
  if (!leg) expect.fail('nothing dialled');
  await manager.handle({ type: 'channel.ringing', channelId: leg.channelId, at: time.now() });
  time.advance(1500);
  await manager.handle({ type: 'leg.answered', channelId: leg.channelId, callId: leg.callId, at: time.now() });
  time.advance(talkMs);
  await manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: '', at: time.now() });
}

describe('call metrics: what operators watch', function () {
  it('given a call answered and hung up, then every event it queued is observed once, in order, with the live calls at that moment', async function () {
    const metrics = new RecordingMetrics();
    const { manager, sw, time } = managerWith(metrics);
    await answeredAndHungUp(manager, sw, time, 20_000);
    expect(metrics.seen.flatMap((seen) => seen.types)).to.deep.equal(['call.v1.requested', 'call.v1.routed', 'call.v1.ringing', 'call.v1.answered', 'call.v1.ended']);
    expect(metrics.seen.map((seen) => seen.liveCalls)).to.deep.equal([1, 1, 1, 1, 0]);
  });

  it('given calls through the Prometheus adapter, then requests, answer times, end causes by direction, talk time and live calls are exposed', async function () {
    const registry = new Registry();
    const { manager, sw, time } = managerWith(new PrometheusCallMetrics(registry));
    await answeredAndHungUp(manager, sw, time, 20_000);
    await manager.handle({ type: 'call.arrived', channelId: 'caller-2', origin: { kind: 'user', username: 'alice' }, dialed: 'nobody', at: time.now() });
    const text = await registry.metrics();
    expect(text).to.match(/^calls_requested_total 2$/m);
    expect(text).to.match(/^call_answer_seconds_bucket\{le="2"\} 1$/m);
    expect(text).to.match(/^call_answer_seconds_bucket\{le="1"\} 0$/m);
    expect(text).to.match(/^calls_ended_total\{cause="completed",direction="on-net",emergency="false"\} 1$/m);
    expect(text).to.match(/^calls_ended_total\{cause="no_route",direction="on-net",emergency="false"\} 1$/m);
    expect(text).to.match(/^call_talk_seconds_sum\{direction="on-net"\} 20$/m);
    expect(text).to.match(/^call_talk_seconds_count\{direction="on-net"\} 1$/m);
    expect(text).to.match(/^calls_live 0$/m);
  });
});
