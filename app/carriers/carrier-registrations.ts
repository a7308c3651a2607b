import { type Logger } from '../shared/infra/logger';
import { type Cancel, errorMessage, type Scheduler } from '../shared/kernel';
import { type Carrier } from './carrier';
import { type CarrierRepository, type OutboundRegistrations } from './ports';

const registers = (carrier: Carrier | undefined): carrier is Carrier => carrier !== undefined && carrier.enabled && carrier.registration !== undefined;

// Keeps the switch's outbound registrations in step with the carriers. Asterisk acts on a realtime
// registration row only when asked (see OutboundRegistrations), so each row is pushed: after the
// change that wrote it, after every (re)connection to the switch (a restarted Asterisk registers
// with nobody until asked), and periodically, in case a push was lost (the switch was briefly
// unreachable). Pushing an unchanged row does nothing, so repeating a push is harmless.
export class CarrierRegistrations {
  private cancel: Cancel | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly repository: CarrierRepository,
    private readonly switchRegistrations: OutboundRegistrations,
    private readonly scheduler: Scheduler,
    private readonly log: Logger,
  ) {}

  // After a carrier's rows changed. A push that fails is logged and left to the next sync: the
  // carrier is saved either way.
  async changed(before: Carrier | undefined, after: Carrier | undefined): Promise<void> {
    try {
      if (registers(after)) await this.switchRegistrations.apply(after.endpointId);
      if (registers(before) && !registers(after)) await this.switchRegistrations.purge();
    } catch (error) {
      this.log.warn('carrier registration not pushed to the switch', { carrierId: (after ?? before)?.id, error: errorMessage(error) });
    }
  }

  // Every registering carrier's row, then a purge of the rows that are gone.
  async syncAll(): Promise<number> {
    const carriers = (await this.repository.list()).filter(registers);
    for (const carrier of carriers) await this.switchRegistrations.apply(carrier.endpointId);
    await this.switchRegistrations.purge();
    return carriers.length;
  }

  start(intervalMs: number): void {
    if (this.cancel) return;
    const next = (): void => {
      this.cancel = this.scheduler.after(intervalMs, () => {
        this.running = this.syncAll()
          .then(() => undefined)
          .catch((error: unknown) => this.log.warn('carrier registrations sync failed', { error: errorMessage(error) }))
          .finally(() => {
            if (this.cancel) next();
          });
      });
    };
    next();
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    await this.running;
  }
}
