import { expect } from 'chai';
import { type CallAuthorization, type CallAuthorizer, type CallStateManager, type Party } from '../../../app/call-state';
import { type FakeSwitch } from '../../support/fakes/fake-switch';
import { type ManualTime } from '../../support/fakes/manual-scheduler';
import { advance, answeredCall, endedEvent, type Harness, harness } from './harness';

const alice: Party = { userId: 'u-a', username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: 'u-b', username: 'bob', phoneNumber: '+14155550102' };

// Billing with a first slice and the answers to extensions, in order; an extension can be held.
class Credit implements CallAuthorizer {
  extensions: Array<CallAuthorization | Promise<CallAuthorization>> = [];
  asked: number[] = [];
  constructor(private readonly first: number) {}
  authorize(): Promise<CallAuthorization> {
    return Promise.resolve({ allowed: true, reservedSeconds: this.first });
  }
  extend(): Promise<CallAuthorization> {
    this.asked.push(this.first);
    return Promise.resolve(this.extensions.shift() ?? { allowed: true, reservedSeconds: this.first });
  }
}

const setup = (credit: Credit, creditWarningSeconds?: number): Harness =>
  harness([alice, bob], { authorizer: credit, ...(creditWarningSeconds !== undefined ? { creditWarningSeconds } : {}) });

// The call answered, and what the switch was told so far forgotten.
async function answer(manager: CallStateManager, sw: FakeSwitch, time: ManualTime): Promise<void> {
  await answeredCall({ manager, sw, time });
  sw.commands.length = 0;
}

describe('credit warning tone before the cut-off', function () {
  it('given credit for 60 s that cannot be extended and a 10 s warning, then the caller alone hears one tone 10 s before the cut-off at 59.5 s', async function () {
    const credit = new Credit(60);
    const { manager, sw, store, time } = setup(credit, 10);
    await answer(manager, sw, time);
    await advance(time, 47_999);
    expect(credit.asked, 'the extension is asked for 2 s before the warning is due').to.have.length(0);
    await advance(time, 1);
    expect(credit.asked).to.have.length(1);
    await advance(time, 1_499);
    expect(sw.of('playTone')).to.have.length(0);
    await advance(time, 1);
    expect(sw.of('playTone')).to.deep.equal([{ kind: 'playTone', channelId: 'caller-1' }]);
    await advance(time, 9_999);
    expect(endedEvent(store)).to.equal(undefined);
    await advance(time, 1);
    expect(endedEvent(store)).to.include({ reason: 'credit_exhausted' });
    expect(sw.of('playTone')).to.have.length(1);
  });

  it('given the extension adds credit, then no tone before the first limit, and the tone comes 10 s before the new one', async function () {
    const credit = new Credit(60);
    credit.extensions.push({ allowed: true, reservedSeconds: 120 });
    const { manager, sw, time } = setup(credit, 10);
    await answer(manager, sw, time);
    await advance(time, 50_000);
    expect(credit.asked).to.have.length(1);
    await advance(time, 50_000);
    expect(sw.of('playTone'), 'nothing at the first limit').to.have.length(0);
    await advance(time, 9_499);
    expect(sw.of('playTone')).to.have.length(0);
    await advance(time, 1);
    expect(sw.of('playTone')).to.have.length(1);
  });

  it('given an extension still on its way when the warning is due, which then adds credit, then no tone is played', async function () {
    const credit = new Credit(60);
    let grant: (answer: CallAuthorization) => void = () => undefined;
    credit.extensions.push(new Promise<CallAuthorization>((resolve) => (grant = resolve)));
    const { manager, sw, time } = setup(credit, 10);
    await answer(manager, sw, time);
    await advance(time, 49_500);
    expect(sw.of('playTone'), 'waits for the extension').to.have.length(0);
    grant({ allowed: true, reservedSeconds: 120 });
    await advance(time, 0);
    expect(sw.of('playTone')).to.have.length(0);
  });

  it('given a first slice shorter than the warning, then the tone plays at once after the answer', async function () {
    const { manager, sw, time } = setup(new Credit(8), 10);
    await answer(manager, sw, time);
    await advance(time, 0);
    expect(sw.of('playTone')).to.have.length(1);
  });

  it('given the warning off (0) or a free call, then no tone is ever played', async function () {
    const off = setup(new Credit(60), 0);
    await answer(off.manager, off.sw, off.time);
    await advance(off.time, 60_000);
    expect(off.sw.of('playTone')).to.have.length(0);
    expect(endedEvent(off.store)).to.include({ reason: 'credit_exhausted' });

    const free = new Credit(60);
    free.authorize = () => Promise.resolve({ allowed: true, reservedSeconds: null });
    const unlimited = setup(free, 10);
    await answer(unlimited.manager, unlimited.sw, unlimited.time);
    await advance(unlimited.time, 3_600_000);
    expect(unlimited.sw.of('playTone')).to.have.length(0);
  });
});
