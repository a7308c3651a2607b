import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { CallOperations, CallStateManager, CallUserNotFoundError, InMemoryCallStore, type CallPlacement, type Party } from '../../../app/call-state';
import { type CallCommandReply } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { FakeSwitch } from '../../support/fakes/fake-switch';
import { ManualTime } from '../../support/fakes/manual-scheduler';

const alice: Party = { userId: randomUUID(), username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: randomUUID(), username: 'bob', phoneNumber: '+14155550102' };
const users = [alice, bob];

// One instance: its own store view, switch and call state manager; alice has one registered phone.
function instance(name: string, store: InMemoryCallStore, placement?: CallPlacement): { operations: CallOperations; sw: FakeSwitch } {
  const time = new ManualTime();
  const sw = new FakeSwitch();
  const directory = {
    findByUsername: (username: string) => Promise.resolve(users.find((user) => user.username === username)),
    findById: (userId: string) => Promise.resolve(users.find((user) => user.userId === userId)),
    findByDialed: () => Promise.resolve(undefined),
  };
  const manager = new CallStateManager({
    switchControl: sw,
    directory,
    connections: { connectionsOf: (username) => Promise.resolve(username === 'alice' ? [{ contactUri: 'sip:alice@198.18.1.1:47000' }] : []) },
    store,
    clock: time,
    scheduler: time,
    log: silentLogger,
    ringTimeoutSeconds: 30,
    instanceId: name,
  });
  const operations = new CallOperations(store, manager, sw, { find: () => Promise.resolve(undefined) }, directory, {
    instanceId: name,
    forwarder: { forward: () => Promise.resolve({ outcome: 'unreachable', message: 'not used' }) },
    ...(placement ? { placement } : {}),
  });
  return { operations, sw };
}

describe('fleet: click-to-call asked of an instance that does not place it', function () {
  it("given the core (no switch of its own), when an operator starts alice -> bob there, then node-1 places it on its switch (alice's phone rings there), the core's switch is not touched, and the core answers with the call as node-1 stored it", async function () {
    const store = new InMemoryCallStore('node-1');
    const node = instance('node-1', store);
    const sent: CallCommandReply[] = [];
    // The fleet's placement as the core sees it: the request goes to a node that is up (node-1).
    const placement: CallPlacement = {
      place: async (command) => {
        const reply = await node.operations.execute(command);
        sent.push(reply);
        if (reply.outcome !== 'done' || reply.callId === undefined) throw new Error(`not placed: ${JSON.stringify(reply)}`);
        return reply.callId;
      },
    };
    const core = instance('core', store, placement);
    const view = await core.operations.start('alice', 'bob');
    expect(sent).to.deep.equal([{ outcome: 'done', callId: view.id }]);
    expect(view).to.deep.include({ live: true, dialed: 'bob', node: 'node-1' });
    expect(node.sw.commands.filter((command) => command.kind === 'originate')).to.have.length(1);
    expect(core.sw.commands).to.deep.equal([]);
  });

  it('given users nobody has, then the core refuses at once (404) and no node is asked', async function () {
    let asked = 0;
    const core = instance('core', new InMemoryCallStore('node-1'), {
      place: () => {
        asked += 1;
        return Promise.resolve('never');
      },
    });
    for (const [from, to] of [['nobody', 'bob'], ['alice', 'nobody']] as const) {
      expect(await core.operations.start(from, to).catch((error: unknown) => error)).to.be.instanceOf(CallUserNotFoundError);
    }
    expect(asked).to.equal(0);
  });
});
