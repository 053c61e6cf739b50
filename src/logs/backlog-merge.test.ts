import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findBacklogBounds, mergeByTime, type Timed } from './backlog-merge.js';

interface Line extends Timed {
  text: string;
}

const at = (second: number, text: string, fraction = '000000000'): Line => ({
  time: `2026-01-01T00:00:${String(second).padStart(2, '0')}.${fraction}Z`,
  text,
});

async function* source(lines: Line[], opened?: { open: number; pulled: number }): AsyncGenerator<Line> {
  if (opened) opened.open++;
  try {
    for (const line of lines) {
      if (opened) opened.pulled++;
      yield line;
    }
  } finally {
    if (opened) opened.open--;
  }
}

async function texts(lines: AsyncIterable<Line>): Promise<string[]> {
  const all: string[] = [];
  for await (const line of lines) all.push(line.text);
  return all;
}

describe('mergeByTime', () => {
  const a = [at(1, 'a1'), at(4, 'a4'), at(6, 'a6')];
  const b = [at(2, 'b2'), at(3, 'b3'), at(7, 'b7')];
  const c = [at(5, 'c5')];

  it('merges time-ordered sources in time order', async () => {
    assert.deepEqual(await texts(mergeByTime([source(a), source(b), source(c), source([])])), [
      'a1',
      'b2',
      'b3',
      'a4',
      'c5',
      'a6',
      'b7',
    ]);
  });

  it('compares times by value, not as text (trimmed fractions)', async () => {
    const merged = await texts(
      mergeByTime([
        source([{ time: '2026-01-01T00:00:01.5Z', text: 'late' }]),
        source([{ time: '2026-01-01T00:00:01.45Z', text: 'early' }]),
      ]),
    );
    assert.deepEqual(merged, ['early', 'late']);
  });

  it('pulls one line per source ahead at most, and ends every source when the consumer stops', async () => {
    const opened = { open: 0, pulled: 0 };
    const many = Array.from({ length: 10_000 }, (_, i) => at(i % 60, `x${i}`, String(i).padStart(9, '0')));
    const merged = mergeByTime([source(many, opened), source(many, opened)]);
    let taken = 0;
    for await (const _line of merged) if (++taken === 10) break;
    assert.ok(opened.pulled <= 12, `${opened.pulled} pulled for 10 taken`);
    assert.equal(opened.open, 0, 'both sources ended');
  });

  it('ends the other sources when one fails', async () => {
    const opened = { open: 0, pulled: 0 };
    async function* failing(): AsyncGenerator<Line> {
      yield at(1, 'f1');
      throw new Error('engine went away');
    }
    await assert.rejects(
      texts(
        mergeByTime([source([at(0, 'a'), at(5, 'b')], opened), failing(), source([at(2, 'c'), at(9, 'd')], opened)]),
      ),
      /engine went away/,
    );
    assert.equal(opened.open, 0);
  });
});

describe('findBacklogBounds', () => {
  it(
    'from: the time of the n-th newest line across ' + 'sources (none when there are fewer); until: the newest',
    async () => {
      const a = [at(1, 'a1'), at(4, 'a4'), at(6, 'a6')];
      const b = [at(2, 'b2'), at(3, 'b3'), at(7, 'b7')];
      const three = await findBacklogBounds([source(a), source(b)], 3);
      assert.deepEqual([three.from?.time, three.until?.time], [at(4, '').time, at(7, '').time]);
      assert.equal((await findBacklogBounds([source(a), source(b)], 6)).from?.time, at(1, '').time);
      const all = await findBacklogBounds([source(a), source(b)], 7);
      assert.deepEqual([all.from, all.until?.time], [undefined, at(7, '').time]);
      assert.deepEqual(await findBacklogBounds([source(a)], 0), {});
      assert.deepEqual(await findBacklogBounds([source([])], 5), {});
      const one = await findBacklogBounds([source([at(9, 'x', '000000042')])], 1);
      assert.equal(one.from?.nanos, BigInt(Date.parse('2026-01-01T00:00:09Z')) * 1_000_000n + 42n);
    },
  );
});
