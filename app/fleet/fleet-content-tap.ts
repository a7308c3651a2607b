import { type ContentTap, type StoredMedia, type Tap } from '../intercept';
import { AppError, errorMessage } from '../shared/kernel';
import { type SwitchNode } from './switch-node-directory';

// The taps of one switch node (ARI snoop recorder), made once per node and URL.
export type NodeTapFactory = (node: SwitchNode) => ContentTap;

// A tap failed on every node that could hold the channel or recording.
export class FleetTapError extends AppError {
  constructor(operation: string, failures: string[]) {
    super('INTERCEPT.TAP_NO_NODE', `intercept tap ${operation} failed on every switch node: ${failures.join('; ') || 'no switch node known'}`, 'unavailable', { operation });
  }
}

// Lawful-intercept taps in a fleet: the target's channel lives on one node's Asterisk, which may not
// be the one this instance drives (the core has none; a warrant's mid-call start or a call event may
// be handled by any instance). A tap starts on the node that has the channel (the others answer
// 404 at once, with no side effect); recordings are fetched from whichever node has them, and
// stopped or discarded on all.
export class FleetContentTap implements ContentTap {
  private readonly taps = new Map<string, { url: string; tap: ContentTap }>();

  constructor(
    private readonly nodes: () => Promise<SwitchNode[]>,
    private readonly tapOf: NodeTapFactory,
  ) {}

  async start(channelId: string, tapId: string): Promise<Tap> {
    const failures: string[] = [];
    for (const { node, tap } of await this.all()) {
      try {
        return await tap.start(channelId, tapId);
      } catch (error) {
        failures.push(`${node}: ${errorMessage(error)}`);
      }
    }
    throw new FleetTapError('start', failures);
  }

  async stop(tap: Tap): Promise<void> {
    await this.onEvery('stop', (node) => node.stop(tap));
  }

  async fetch(name: string): Promise<StoredMedia> {
    return this.firstFound('fetch', (tap) => tap.fetch(name), (media) => media.state !== 'gone', { state: 'gone' });
  }

  // Live on any node: the recording is still being written there.
  async isLive(name: string): Promise<boolean> {
    return this.firstFound('isLive', (tap) => tap.isLive(name), (live) => live, false);
  }

  async discard(name: string): Promise<void> {
    await this.onEvery('discard', (node) => node.discard(name));
  }

  // Asks each node in turn for what only the node holding it has: the first answer that found it;
  // none found is `none` when every node answered, and an error when one did not (it may hold it).
  private async firstFound<T>(operation: string, ask: (tap: ContentTap) => Promise<T>, found: (answer: T) => boolean, none: T): Promise<T> {
    const failures: string[] = [];
    for (const { node, tap } of await this.all()) {
      try {
        const answer = await ask(tap);
        if (found(answer)) return answer;
      } catch (error) {
        failures.push(`${node}: ${errorMessage(error)}`);
      }
    }
    if (failures.length > 0) throw new FleetTapError(operation, failures);
    return none;
  }

  // Runs on every node; fails only when it failed on all of them (the one that had the tap or
  // recording, if any answered, did it; the rest had nothing).
  private async onEvery(operation: string, run: (tap: ContentTap) => Promise<void>): Promise<void> {
    const all = await this.all();
    const results = await Promise.allSettled(all.map(async ({ tap }) => run(tap)));
    const failures = results.flatMap((result, index) => (result.status === 'rejected' ? [`${all[index]?.node ?? '?'}: ${errorMessage(result.reason)}`] : []));
    if (all.length === 0 || failures.length === all.length) throw new FleetTapError(operation, failures);
  }

  private async all(): Promise<{ node: string; tap: ContentTap }[]> {
    return (await this.nodes()).map((node) => {
      let known = this.taps.get(node.node);
      if (!known || known.url !== node.ariUrl) {
        known = { url: node.ariUrl, tap: this.tapOf(node) };
        this.taps.set(node.node, known);
      }
      return { node: node.node, tap: known.tap };
    });
  }
}

// One node's snoop recorder: its tap and how its sockets are closed.
export interface NodeRecorder {
  tap: ContentTap;
  close(): void;
}

// The fleet's tap over every node's recorder (made on first use, one per node), and one close for
// all: the controller (a warrant started mid-call) and the workers (the call events) both use it.
export function fleetContentTapOf(nodes: () => Promise<SwitchNode[]>, recorderOf: (node: SwitchNode) => NodeRecorder): { tap: FleetContentTap; close(): void } {
  const opened: NodeRecorder[] = [];
  const tap = new FleetContentTap(nodes, (node) => {
    const recorder = recorderOf(node);
    opened.push(recorder);
    return recorder.tap;
  });
  return { tap, close: () => opened.forEach((recorder) => recorder.close()) };
}
