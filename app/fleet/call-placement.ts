import { type Logger } from '../shared/infra/logger';
import { type ErrorKind } from '../shared/kernel';
import { NodeRefusedError, NoSwitchNodeError, PlacementFailedError } from './errors';
import { type PlacementBus, type StartCall } from './ports';

const ERROR_KINDS: readonly ErrorKind[] = ['invalid', 'not_found', 'conflict', 'unauthorized', 'forbidden', 'unavailable', 'unreachable', 'internal'];
const kindOf = (kind: string): ErrorKind => (ERROR_KINDS as readonly string[]).find((known) => known === kind) as ErrorKind | undefined ?? 'internal';

export interface FleetCallPlacementOptions {
  // This instance drives calls on a switch of its own (a node; not the core's admin instance).
  placesCalls: boolean;
  // Its switch is up now (the event stream connected).
  switchUp: () => boolean;
  // Requests before giving up when no node takes one, or the one that did is unwell.
  attempts?: number;
  retryDelayMs?: number;
  log: Logger;
}

// Where a click-to-call is placed in a fleet: on this node while its switch is up; otherwise (the
// core's admin API, a node whose Asterisk is dead) on any node whose switch is up. A request no node
// took, or one an unwell node turned away, is sent again; one a node took and failed is not (it may
// ring the caller already).
export class FleetCallPlacement {
  constructor(
    private readonly bus: PlacementBus,
    private readonly options: FleetCallPlacementOptions,
  ) {}

  async place(command: StartCall, local: () => Promise<string>): Promise<string> {
    if (this.options.placesCalls && this.options.switchUp()) return local();
    const attempts = this.options.attempts ?? 5;
    let last = 'no node took the request';
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const reply = await this.bus.request(command);
      switch (reply.outcome) {
        case 'done':
          if (reply.callId === undefined) throw new PlacementFailedError('the node answered without a call id');
          this.options.log.info('click-to-call placed on a node', { node: reply.node, callId: reply.callId, attempt });
          return reply.callId;
        case 'refused':
          throw new NodeRefusedError(reply.code, reply.message, kindOf(reply.kind), reply.node ?? '?');
        case 'failed':
          throw new PlacementFailedError(reply.message);
        case 'unwell':
        case 'unreachable':
        case 'not_driving':
          last = 'message' in reply ? reply.message : reply.outcome;
          this.options.log.warn('no node placed the click-to-call: trying again', { attempt, node: reply.node, reason: last });
          await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 250));
          break;
      }
    }
    throw new NoSwitchNodeError(last);
  }
}
