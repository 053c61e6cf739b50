import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { AsyncQueue } from './async-queue.js';

describe('AsyncQueue', () => {
  it('makes producers wait while it is full, and lets them on as the consumer takes items', async () => {
    const queue = new AsyncQueue<number>({ items: 2 });
    const pushed: number[] = [];
    const producer = (async () => {
      for (let i = 0; i < 5; i++) {
        await queue.push(i);
        pushed.push(i);
      }
      queue.close();
    })();
    await tick();
    assert.deepEqual(pushed, [0, 1], 'the third push waits');
    assert.equal(queue.size, 2);
    assert.equal(queue.waitingProducers, 1);
    const taken: number[] = [];
    for await (const item of queue) {
      taken.push(item);
      assert.ok(queue.size <= 2);
    }
    await producer;
    assert.deepEqual(taken, [0, 1, 2, 3, 4]);
  });

  it('bounds by weight too, always letting one item in', async () => {
    const queue = new AsyncQueue<string>({ items: 100, maxWeight: 10, weigh: (s) => s.length });
    assert.equal(await queue.push('a-very-long-item'), true, 'one item always fits');
    let second = false;
    void queue.push('b').then(() => (second = true));
    await tick();
    assert.equal(second, false, 'over the weight: waits');
    const it = queue[Symbol.asyncIterator]();
    assert.deepEqual(await it.next(), { value: 'a-very-long-item', done: false });
    await tick();
    assert.equal(second, true);
  });

  it('close() releases waiting producers with false; stopping the iteration closes it', async () => {
    const queue = new AsyncQueue<number>({ items: 1 });
    await queue.push(1);
    const waiting = [queue.push(2), queue.push(3)];
    await tick();
    assert.equal(queue.waitingProducers, 2);
    const it = queue[Symbol.asyncIterator]();
    await it.return!();
    assert.deepEqual(await Promise.all(waiting), [false, false]);
    assert.equal(queue.size, 0, 'queued items are released');
    assert.equal(await queue.push(4), false);
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  });

  it('hands an item straight to a waiting consumer', async () => {
    const queue = new AsyncQueue<string>({ items: 1 });
    const it = queue[Symbol.asyncIterator]();
    const next = it.next();
    assert.equal(await queue.push('x'), true);
    assert.deepEqual(await next, { value: 'x', done: false });
    queue.close();
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  });
});
