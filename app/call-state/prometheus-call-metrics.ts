import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type CallAnswered, type CallEnded, CALL_SUBJECTS, type PublishableEvent } from '../shared/events';
import { type CallMetrics } from './ports';

// Calls as Prometheus sees them, from the events the call state manager queues: how many start,
// how many are answered and how long that takes, how they end (cause and direction, the labels
// operators alert on: a rise of 'unreachable' or 'no_route'), how long they talk, and how many
// calls this instance drives now.
export class PrometheusCallMetrics implements CallMetrics {
  private readonly requested: Counter;
  private readonly answered: Histogram;
  private readonly ended: Counter<'cause' | 'direction' | 'emergency'>;
  private readonly talk: Histogram<'direction'>;
  private readonly live: Gauge;

  constructor(registry: Registry) {
    this.requested = new Counter({ name: 'calls_requested_total', help: 'Calls the call state manager started handling', registers: [registry] });
    this.answered = new Histogram({
      name: 'call_answer_seconds',
      help: 'From the call request to its answer (routing, ringing and the callee picking up)',
      buckets: [0.5, 1, 2, 4, 8, 15, 30, 60],
      registers: [registry],
    });
    this.ended = new Counter({ name: 'calls_ended_total', help: 'Calls ended, by end cause, direction and whether they were emergency calls', labelNames: ['cause', 'direction', 'emergency'], registers: [registry] });
    this.talk = new Histogram({
      name: 'call_talk_seconds',
      help: 'Talk time of answered calls',
      labelNames: ['direction'],
      buckets: [5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers: [registry],
    });
    this.live = new Gauge({ name: 'calls_live', help: 'Live calls this controller instance drives', registers: [registry] });
  }

  observe(events: readonly PublishableEvent[], liveCalls: number): void {
    for (const event of events) {
      if (event.type === CALL_SUBJECTS.requested) this.requested.inc();
      else if (event.type === CALL_SUBJECTS.answered) this.answered.observe((event as CallAnswered).setupMs / 1000);
      else if (event.type === CALL_SUBJECTS.ended) {
        const ended = event as CallEnded;
        const direction = ended.direction ?? 'on-net';
        this.ended.inc({ cause: ended.cause, direction, emergency: ended.emergency ? 'true' : 'false' });
        if (ended.answeredAt !== undefined) this.talk.observe({ direction }, ended.talkMs / 1000);
      }
    }
    this.live.set(liveCalls);
  }
}
