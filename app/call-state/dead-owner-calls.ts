import { errorMessage } from '../shared/kernel';
import { type Call } from './call';
import { type CallContext } from './call-context';
import { ENDED_WHILE_DISCONNECTED, type CallHandling } from './call-recovery';
import { Answered } from './states';

// Calls of a controller instance that never came back (a fleet node whose machine died): nobody
// adopts them (a node takes over only its own calls: the channels were on the dead node's Asterisk),
// so after `boundMs` past the owner's last heartbeat, any live instance claims them (atomically: one
// wins each call) and ends them in the records at that heartbeat, the last moment they were known
// alive; the dead node's own switch log (CEL file) is out of reach. Ending them publishes their end,
// which releases their reservations and slots and closes their intercepts like any other end.
export class DeadOwnerCalls {
  constructor(
    private readonly ctx: CallContext,
    private readonly handling: Pick<CallHandling, 'end'>,
  ) {}

  // The number of calls closed.
  async close(boundMs: number): Promise<number> {
    const { instances, instanceId, store, clock, log } = this.ctx.deps;
    if (!instances || !instanceId) return 0;
    const now = clock.now().getTime();
    const lastSeen = new Map<string, number | undefined>();
    let closed = 0;
    for (const call of await store.liveCalls()) {
      const owner = call.owner;
      if (owner === undefined || owner === instanceId || this.ctx.calls.has(call.id)) continue;
      if (!lastSeen.has(owner)) lastSeen.set(owner, await this.deadSince(owner));
      const seenAt = lastSeen.get(owner);
      if (seenAt === undefined || now - seenAt < boundMs) continue;
      const claimed = await store.claim(call.id, owner);
      if (!claimed) continue;
      await this.ctx.queue.run(claimed.id, () => this.end(claimed, owner, seenAt));
      closed += 1;
    }
    if (closed > 0) log.warn('calls of instances that never came back closed', { calls: closed, boundMs });
    return closed;
  }

  // This instance's own calls, when its switch is gone while it runs (a fleet node whose Asterisk
  // died under a living controller): ended in the records at `seenAt`, the last moment the switch's
  // events were known to arrive, as a dead node's calls are. The number closed.
  async closeOwn(seenAt: Date): Promise<number> {
    const { instanceId, log } = this.ctx.deps;
    const calls = [...this.ctx.calls.values()];
    for (const call of calls) await this.ctx.queue.run(call.id, () => this.end(call, instanceId ?? 'self', seenAt.getTime()));
    if (calls.length > 0) log.warn('calls of this node closed: its switch is gone', { calls: calls.length, at: seenAt.toISOString() });
    return calls.length;
  }

  // The owner's last heartbeat if it is not running (undefined while it runs, or never beat).
  private async deadSince(owner: string): Promise<number | undefined> {
    const { instances, log } = this.ctx.deps;
    try {
      if (!instances || (await instances.isRunning(owner))) return undefined;
      return (await instances.eventsSeenAt(owner))?.getTime();
    } catch (error) {
      log.warn('could not tell whether an instance is gone', { owner, error: errorMessage(error) });
      return undefined;
    }
  }

  private async end(call: Call, owner: string, seenAt: number): Promise<void> {
    this.ctx.adopt(call);
    const log = this.ctx.logFor(call);
    log.warn('call of an instance that never came back closed at its last heartbeat', { previousOwner: owner, at: new Date(seenAt).toISOString() });
    const at = new Date(Math.max(seenAt, call.history.at(-1)?.at ?? seenAt));
    await this.handling.end(call, call.state instanceof Answered ? 'completed' : 'cancelled', log, {
      callerGone: true,
      at,
      reason: ENDED_WHILE_DISCONNECTED,
      endTimeEstimated: true,
      pendingLegOutcome: 'unreachable',
    });
  }
}
