import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Call, CallNodeUnreachableError, CallOperations, CallStateManager, InMemoryCallStore, type CallCommandForwarder, type Party } from '../../../app/call-state';
import { type CallCommand, type CallCommandReply } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { type CallId } from '../../../app/shared/kernel';
import { FakeSwitch } from '../../support/fakes/fake-switch';
import { ManualTime } from '../../support/fakes/manual-scheduler';

const alice: Party = { userId: randomUUID(), username: 'alice', phoneNumber: '+14155550101' };

// The node an operator's command is sent to answers with `reply`; what it was sent is kept.
class FakeForwarder implements CallCommandForwarder {
  readonly sent: { owner: string; command: CallCommand }[] = [];
  constructor(private readonly reply: CallCommandReply) {}
  forward(owner: string, command: CallCommand): Promise<CallCommandReply> {
    this.sent.push({ owner, command });
    return Promise.resolve(this.reply);
  }
}

// The admin API instance "core" drives no calls; the call lives on node-2 (its owner in the store).
async function coreOperations(reply: CallCommandReply): Promise<{ operations: CallOperations; forwarder: FakeForwarder; sw: FakeSwitch; call: Call }> {
  const store = new InMemoryCallStore('node-2');
  const time = new ManualTime();
  const sw = new FakeSwitch();
  const manager = new CallStateManager({
    switchControl: sw,
    directory: { findByUsername: () => Promise.resolve(undefined), findByDialed: () => Promise.resolve(undefined) },
    connections: { connectionsOf: () => Promise.resolve([]) },
    store,
    clock: time,
    scheduler: time,
    log: silentLogger,
    ringTimeoutSeconds: 30,
  });
  const call = Call.start(randomUUID() as CallId, { ...alice, channelId: randomUUID() }, 'bob', new Date('2026-12-07T22:00:00Z'));
  await store.save(call);
  const forwarder = new FakeForwarder(reply);
  const operations = new CallOperations(store, manager, sw, { find: () => Promise.resolve(undefined) }, undefined, { instanceId: 'core', forwarder });
  return { operations, forwarder, sw, call };
}

describe('call operations: commands for a call another node drives', function () {
  it('given a call owned by node-2, when an operator hangs it up on core, then the command goes to node-2 and core touches no channel itself', async function () {
    const { operations, forwarder, sw, call } = await coreOperations({ outcome: 'done' });
    await operations.hangUp(call.id);
    expect(forwarder.sent).to.deep.equal([{ owner: 'node-2', command: { kind: 'hang_up', callId: call.id, reason: 'operator' } }]);
    expect(sw.commands.filter((command) => command.kind === 'hangup')).to.deep.equal([]);
  });

  it('given node-2 does not answer, when an operator hangs the call up, then CallNodeUnreachableError (503) names the call and its owner', async function () {
    const { operations, call } = await coreOperations({ outcome: 'unreachable', message: 'TIMEOUT' });
    const error = await operations.hangUp(call.id).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).to.be.instanceOf(CallNodeUnreachableError);
    expect((error as CallNodeUnreachableError).kind).to.equal('unavailable');
    expect((error as CallNodeUnreachableError).details).to.deep.equal({ callId: call.id, owner: 'node-2' });
  });

  it('given node-2 does not drive the call (not adopted yet), when an operator hangs it up, then its channels are hung up on the switch instead', async function () {
    const { operations, sw, call } = await coreOperations({ outcome: 'not_driving' });
    await operations.hangUp(call.id);
    expect(sw.commands.filter((command) => command.kind === 'hangup').map((command) => (command as { channelId: string }).channelId)).to.deep.equal(call.channelIds());
  });

  it('given a forwarded hang-up for a call this instance does not drive, when it is executed, then the reply is not_driving', async function () {
    const { operations } = await coreOperations({ outcome: 'done' });
    expect(await operations.execute({ kind: 'hang_up', callId: randomUUID(), reason: 'operator' })).to.deep.equal({ outcome: 'not_driving' });
  });
});
