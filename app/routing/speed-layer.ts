import { type CallEnded } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { type Clock } from '../shared/kernel';
import { outcomeOfEvent } from './call-outcomes';
import { type SpeedMinutes } from './ports';
import { contributionsOf, minuteOf } from './quality/contributions';
import { type LiveRoutingState } from './routing-state';

// The speed layer: each call.v1.ended of an outbound call adds to its carriers' minute rows, once
// (the processed mark is in the same transaction), then to this instance's figures. The message is
// acknowledged after the commit, so a crash loses nothing and a redelivery adds nothing.
export class SpeedLayer {
  constructor(
    private readonly store: SpeedMinutes,
    private readonly state: LiveRoutingState,
    private readonly consumerName: string,
    private readonly clock: Clock,
    // The recent window's reach: an event older than it and than the batch watermark changes
    // nothing (a replay of old events, a consumer created on a stream with history).
    private readonly horizonMs: number,
    private readonly log: Logger,
  ) {}

  async handleCallEnded(event: CallEnded): Promise<void> {
    const outcome = outcomeOfEvent(event);
    if (!outcome) return;
    const minute = minuteOf(outcome.endedAt);
    if (minute < Math.min(this.state.book.batchWatermark, this.clock.now().getTime() - this.horizonMs)) return;
    const contributions = contributionsOf(outcome);
    if (contributions.length === 0) return;
    const rows = await this.store.applyOnce(this.consumerName, event.id, new Date(minute), contributions);
    if (!rows) {
      this.log.debug('call quality already counted', { callId: event.callId, eventId: event.id });
      return;
    }
    this.state.putMinutes(rows);
  }
}
