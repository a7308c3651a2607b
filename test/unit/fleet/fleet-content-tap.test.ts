import { expect } from 'chai';
import { FleetContentTap, FleetTapError, type SwitchNode } from '../../../app/fleet';
import { type ContentTap, type StoredMedia, type Tap } from '../../../app/intercept';

// One node's switch: the channels it holds and the recordings it has; every call is noted.
class NodeSwitch implements ContentTap {
  readonly calls: string[] = [];
  down = false;
  constructor(
    readonly name: string,
    private readonly channels: string[],
    private readonly recordings: Record<string, StoredMedia> = {},
    private readonly live: string[] = [],
  ) {}
  private check(what: string): void {
    this.calls.push(what);
    if (this.down) throw new Error(`${this.name} unreachable`);
  }
  start(channelId: string, tapId: string): Promise<Tap> {
    this.check(`start ${channelId}`);
    if (!this.channels.includes(channelId)) return Promise.reject(new Error('404 channel not found'));
    return Promise.resolve({ inChannelId: `${tapId}-i`, outChannelId: `${tapId}-o`, nameIn: `${tapId}-i`, nameOut: `${tapId}-o` });
  }
  stop(tap: Tap): Promise<void> {
    this.check(`stop ${tap.nameIn}`);
    return Promise.resolve();
  }
  fetch(name: string): Promise<StoredMedia> {
    this.check(`fetch ${name}`);
    return Promise.resolve(this.recordings[name] ?? { state: 'gone' });
  }
  isLive(name: string): Promise<boolean> {
    this.check(`isLive ${name}`);
    return Promise.resolve(this.live.includes(name));
  }
  discard(name: string): Promise<void> {
    this.check(`discard ${name}`);
    return Promise.resolve();
  }
}

function fleetOf(...switches: NodeSwitch[]): FleetContentTap {
  const nodes: SwitchNode[] = switches.map((sw) => ({ node: sw.name, ariUrl: `http://${sw.name}:8088`, app: 'calls' }));
  return new FleetContentTap(() => Promise.resolve(nodes), (node) => switches.find((sw) => sw.name === node.node) as NodeSwitch);
}

describe("fleet: intercept taps on the node that holds the target's channel", function () {
  it("given the target's channel on node-2, when a tap starts from any instance, then it opens on node-2 (node-1 answered it has no such channel)", async function () {
    const [node1, node2] = [new NodeSwitch('node-1', ['a']), new NodeSwitch('node-2', ['b'])];
    const tap = await fleetOf(node1, node2).start('b', 't1');
    expect(tap.nameIn).to.equal('t1-i');
    expect([node1.calls, node2.calls]).to.deep.equal([['start b'], ['start b']]);
  });

  it('given no node holds the channel, or its node is down, then FleetTapError names each failure (the intercept retries it)', async function () {
    const node2 = new NodeSwitch('node-2', ['b']);
    node2.down = true;
    const error = await fleetOf(new NodeSwitch('node-1', ['a']), node2).start('b', 't1').catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(FleetTapError);
    expect((error as Error).message).to.include('node-1: 404 channel not found').and.to.include('node-2: node-2 unreachable');
  });

  it('given a recording stored on node-2, then it is fetched from there; gone everywhere is gone; gone where asked but a node down is an error (it may come back)', async function () {
    const wav = Buffer.from('RIFF');
    const [node1, node2] = [new NodeSwitch('node-1', []), new NodeSwitch('node-2', [], { 't1-i': { state: 'stored', wav } })];
    expect(await fleetOf(node1, node2).fetch('t1-i')).to.deep.equal({ state: 'stored', wav });
    expect(await fleetOf(node1, node2).fetch('t9-i')).to.deep.equal({ state: 'gone' });
    node2.down = true;
    expect(await fleetOf(node1, node2).fetch('t9-i').catch((caught: unknown) => caught)).to.be.instanceOf(FleetTapError);
  });

  it('stops and discards on every node, and fails only when every node failed', async function () {
    const [node1, node2] = [new NodeSwitch('node-1', []), new NodeSwitch('node-2', [])];
    const fleet = fleetOf(node1, node2);
    node1.down = true;
    await fleet.stop({ inChannelId: 't1-i', outChannelId: 't1-o', nameIn: 't1-i', nameOut: 't1-o' });
    await fleet.discard('t1-i');
    expect(node2.calls).to.deep.equal(['stop t1-i', 'discard t1-i']);
    node2.down = true;
    expect(await fleet.discard('t1-i').catch((caught: unknown) => caught)).to.be.instanceOf(FleetTapError);
  });

  it('given a recording still being written on node-2, when asked whether it is live, then yes; a name no node writes is not', async function () {
    const [node1, node2] = [new NodeSwitch('node-1', []), new NodeSwitch('node-2', [], {}, ['r1'])];
    const fleet = fleetOf(node1, node2);
    expect(await fleet.isLive('r1')).to.equal(true);
    expect(await fleet.isLive('r2')).to.equal(false);
  });

  it('given node-1 unreachable and node-2 not writing it, when asked whether a recording is live, then it fails (node-1 may be writing it)', async function () {
    const [node1, node2] = [new NodeSwitch('node-1', []), new NodeSwitch('node-2', [])];
    node1.down = true;
    let failure: unknown;
    try {
      await fleetOf(node1, node2).isLive('r1');
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(FleetTapError);
  });
});
