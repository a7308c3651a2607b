import { type CallEnded } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { type Clock } from '../shared/kernel';
import { applySettlement, logSettlement } from './call-settlement';
import { type CallPathPersistence } from './ports';
import { planSettlement } from './settlement-plan';

// The call path settles a paid call the moment it ends, straight in PostgreSQL, instead of waiting
// for its call.v1.ended to cross the event stream to the invoice consumer: during a NATS outage
// the credit an ended call held would otherwise stay reserved until NATS returns, and a paying
// user could be refused credit they have not spent. Same rule (planSettlement) and same locks as
// settle(): whichever of the two commits first settles the call, and the other finds the
// reservation settled and only reads its charge back (repeatedChargeOf), so nothing is charged
// twice and the invoice line still comes from the consumer. Anything but an open reservation
// (none yet, a tombstone, expired, settled) is left to the consumer's settle().
export class EndOfCallSettlement {
  constructor(
    private readonly callPath: CallPathPersistence,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  // true when this settled the call; false when there was nothing open to settle.
  settleAtEnd(event: CallEnded): Promise<boolean> {
    return this.callPath.transaction(async (stores) => {
      // The caller's account first, as settle() and authorize lock it.
      const callerAccount = await stores.accounts.lock(event.caller.userId);
      const reservation = await stores.reservations.find(event.callId);
      if (!reservation || reservation.status !== 'open') return false;
      const account = reservation.userId === event.caller.userId ? callerAccount : await stores.accounts.lock(reservation.userId);
      const plan = planSettlement(reservation, event, account ? account.balanceMinor - account.reservedMinor : 0n);
      await applySettlement(stores, reservation.callId, plan, this.clock.now());
      logSettlement(this.log.child({ callId: reservation.callId, userId: reservation.userId, at: 'call end' }), plan);
      return true;
    });
  }
}
