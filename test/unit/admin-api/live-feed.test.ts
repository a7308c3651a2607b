import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { type Request, type Response } from 'express';
import { liveFeed } from '../../../app/admin-api/console/live-feed';
import { type CallView } from '../../../app/call-state';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// A change signal the test fires by hand, as NatsCallChanges does on each call event.
class ManualChanges {
  readonly listeners = new Set<() => void>();
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  fire(): void {
    for (const listener of this.listeners) listener();
  }
}

const view = (id: string): CallView => ({ id, live: true, state: 'answered', caller: { userId: 'u1', username: 'alice' } as CallView['caller'], dialed: 'bob', devices: [], history: [] });

// The feed over an in-memory request and response: what it writes is parsed back into events.
function open(deps: Omit<Parameters<typeof liveFeed>[0], 'node'>): { events: { event: string; data: Record<string, unknown> }[]; close: () => void } {
  const req = new EventEmitter();
  const chunks: string[] = [];
  const res = { status: () => res, set: () => res, flushHeaders: () => undefined, write: (chunk: string) => chunks.push(chunk) > 0 };
  liveFeed({ node: 'node-a', ...deps })(req as unknown as Request, res as unknown as Response, () => undefined);
  return {
    get events() {
      return chunks
        .filter((chunk) => chunk.startsWith('event: '))
        .map((chunk) => {
          const [first, second] = chunk.split('\n');
          return { event: (first ?? '').slice(7), data: JSON.parse((second ?? '').slice(6)) as Record<string, unknown> };
        });
    },
    close: () => req.emit('close'),
  };
}

describe('console live feed', function () {
  this.timeout(5000);
  it('given a change signal, when a call event comes, then the calls are read and sent at once, and without events they are not read again', async function () {
    let live: CallView[] = [];
    let reads = 0;
    const changes = new ManualChanges();
    const feed = open({ calls: { list: () => Promise.resolve((reads += 1, live)) }, changes });
    await sleep(50);
    expect(feed.events.map((e) => e.event)).to.deep.equal(['calls']);
    expect(feed.events[0]?.data).to.deep.include({ via: 'events', calls: [] });
    await sleep(1300);
    expect(reads, 'no polling between events').to.equal(1);
    live = [view('c1')];
    changes.fire();
    changes.fire();
    await sleep(250);
    expect(reads, 'two events close together: one read').to.equal(2);
    expect(feed.events.at(-1)?.data.calls).to.deep.equal([view('c1')]);
    feed.close();
    expect(changes.listeners.size).to.equal(0);
  });

  it('given no change signal, then the calls are read and sent every second (polling, said as such)', async function () {
    let reads = 0;
    const feed = open({ calls: { list: () => Promise.resolve((reads += 1, [view('c1')])) } });
    await sleep(2200);
    feed.close();
    expect(reads).to.be.at.least(3);
    const sent = feed.events.filter((e) => e.event === 'calls').map((e) => e.data.via);
    expect(sent).to.have.length.of.at.least(3);
    expect(new Set(sent)).to.deep.equal(new Set(['poll']));
  });

  it('given a failing call store, then the feed says feed-error and goes on with the next event', async function () {
    let fail = true;
    const changes = new ManualChanges();
    const feed = open({ calls: { list: () => (fail ? Promise.reject(new Error('redis down')) : Promise.resolve([])) }, changes });
    await sleep(50);
    expect(feed.events.map((e) => e.event)).to.deep.equal(['feed-error']);
    fail = false;
    changes.fire();
    await sleep(250);
    feed.close();
    expect(feed.events.map((e) => e.event)).to.deep.equal(['feed-error', 'calls']);
  });
});
