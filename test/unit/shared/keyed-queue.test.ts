import { expect } from 'chai';
import { KeyedSerialQueue } from '../../../app/shared/kernel';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('keyed serial queue', function () {
  it('runs tasks of one key one at a time, in order, even when an earlier one is slower', async function () {
    const queue = new KeyedSerialQueue();
    const order: string[] = [];
    await Promise.all([
      queue.run('call-1', async () => {
        await sleep(20);
        order.push('a');
      }),
      queue.run('call-1', async () => {
        order.push('b');
        await Promise.resolve();
      }),
    ]);
    expect(order).to.deep.equal(['a', 'b']);
  });

  it('does not make one key wait for another', async function () {
    const queue = new KeyedSerialQueue();
    const order: string[] = [];
    const slow = queue.run('call-1', async () => {
      await sleep(30);
      order.push('slow');
    });
    await queue.run('call-2', async () => {
      order.push('fast');
      await Promise.resolve();
    });
    await slow;
    expect(order).to.deep.equal(['fast', 'slow']);
  });

  it('keeps going after a failing task and forgets idle keys', async function () {
    const queue = new KeyedSerialQueue();
    const failed = queue.run('k', () => Promise.reject(new Error('boom'))).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    let ranAfter = false;
    const next = queue.run('k', () => {
      ranAfter = true;
      return Promise.resolve();
    });
    expect(await failed).to.equal('boom');
    await next;
    expect(ranAfter).to.equal(true);
    await sleep(0);
    expect(queue.size).to.equal(0);
  });
});
