import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runGraph } from './scheduler.js';
import type { GraphNode } from './graph.js';

/** Fake step runners with controllable finish: proves the scheduling order without Docker. */
function harness(nodes: GraphNode[]) {
  const log: string[] = [];
  const finish = new Map<string, (ok: boolean) => void>();
  const run = (name: string) =>
    new Promise<string>((resolve, reject) => {
      log.push(`start ${name}`);
      finish.set(name, (ok) => {
        log.push(`end ${name}`);
        if (ok) resolve(name);
        else reject(new Error(`${name} failed`));
      });
    });
  const tick = () => new Promise((r) => setImmediate(r));
  return { log, run, done: (name: string, ok = true) => finish.get(name)!(ok), tick, result: runGraph(nodes, run) };
}

test('dependents start together as soon as their dependency ends (parallel)', async () => {
  const h = harness([
    { name: 'compile', deps: [] },
    { name: 'api', deps: ['compile'] },
    { name: 'web', deps: ['compile'] },
  ]);
  await h.tick();
  assert.deepEqual(h.log, ['start compile']);
  h.done('compile');
  await h.tick();
  assert.deepEqual(h.log, ['start compile', 'end compile', 'start api', 'start web']);
  h.done('web');
  h.done('api');
  assert.deepEqual([...(await h.result).keys()].sort(), ['api', 'compile', 'web']);
});

test(
  'true graph scheduling, not level barriers: ' + 'c starts when a ends even though b (same level) still runs',
  async () => {
    const h = harness([
      { name: 'a', deps: [] },
      { name: 'b', deps: [] },
      { name: 'c', deps: ['a'] },
      { name: 'd', deps: ['b', 'c'] },
    ]);
    await h.tick();
    assert.deepEqual(h.log, ['start a', 'start b']);
    h.done('a');
    await h.tick();
    assert.deepEqual(h.log.slice(2), ['end a', 'start c']);
    h.done('c');
    await h.tick();
    assert.ok(!h.log.includes('start d'), 'd waits for b');
    h.done('b');
    await h.tick();
    assert.equal(h.log.at(-1), 'start d');
    h.done('d');
    await h.result;
  },
);

test(
  'after a failure nothing new starts, ' + 'running steps are aborted and awaited, the first error is thrown',
  async () => {
    const aborted: string[] = [];
    const started: string[] = [];
    const nodes = [
      { name: 'slow', deps: [] },
      { name: 'bad', deps: [] },
      { name: 'after', deps: ['bad'] },
    ];
    await assert.rejects(
      runGraph(nodes, (name, signal) => {
        started.push(name);
        if (name === 'bad') return Promise.reject(new Error('bad failed'));
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => (aborted.push(name), reject(new Error('aborted')))),
        );
      }),
      /bad failed/,
    );
    assert.deepEqual(started.sort(), ['bad', 'slow']);
    assert.deepEqual(aborted, ['slow']);
  },
);

test('concurrency limit holds', async () => {
  let running = 0;
  let peak = 0;
  const nodes = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, deps: [] }));
  await runGraph(
    nodes,
    async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    },
    { concurrency: 2 },
  );
  assert.equal(peak, 2);
});
