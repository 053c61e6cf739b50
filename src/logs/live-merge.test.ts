import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeLive } from './live-merge.js';
import { AsyncQueue } from './async-queue.js';

const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();
const line = (s: number, from: string) => ({ time: at(s), from });

async function* list<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe('mergeLive', () => {
  it('merges backlogs in time order', async () => {
    const out: string[] = [];
    for await (const l of mergeLive([list([line(1, 'a'), line(4, 'a')]), list([line(2, 'r'), line(3, 'r')])]))
      out.push(`${l.from}${new Date(l.time).getUTCSeconds()}`);
    assert.deepEqual(out, ['a1', 'r2', 'r3', 'a4']);
  });

  it('does not let an idle source hold back one that follows', async () => {
    const idle = new AsyncQueue<{ time: string; from: string }>();
    const busy = new AsyncQueue<{ time: string; from: string }>();
    const merged = mergeLive([idle, busy], 20)[Symbol.asyncIterator]();
    const started = Date.now();
    for (let i = 1; i <= 50; i++) void busy.push(line(i, 'b'));
    const got: number[] = [];
    for (let i = 0; i < 50; i++)
      got.push(new Date(((await merged.next()).value as { time: string }).time).getUTCSeconds());
    assert.deepEqual(
      got,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    // Waiting 20 ms per line would take a second; only the first waits for the idle source to settle.
    assert.ok(Date.now() - started < 800, `${Date.now() - started} ms`);
    void idle.push(line(99, 'i'));
    assert.equal(((await merged.next()).value as { from: string }).from, 'i');
    await merged.return?.(undefined);
    assert.equal(idle.isClosed && busy.isClosed, true, 'ending the merge ends its sources');
  });

  it('passes a source error on', async () => {
    async function* failing(): AsyncGenerator<{ time: string }> {
      yield { time: at(1) };
      throw new Error('engine gone');
    }
    await assert.rejects(async () => {
      for await (const l of mergeLive([failing(), list([{ time: at(5) }])])) void l;
    }, /engine gone/);
  });
});
