import { test } from 'node:test';
import assert from 'node:assert/strict';
import { switchableEngine } from './switchable-engine.js';
import type { ContainerEngine, ContainerEvent, ContainerEventQuery } from './port.js';

test('calls go to the engine in use; optional members follow it', async () => {
  const a = { ping: async () => undefined, name: 'a' } as unknown as ContainerEngine;
  const b = { ping: async () => undefined, info: async () => ({ liveRestore: false, serverVersion: 'b' }) };
  const s = switchableEngine(a);
  assert.equal(s.engine.info, undefined);
  s.use(b as unknown as ContainerEngine);
  assert.equal((await s.engine.info!()).serverVersion, 'b');
  assert.equal(s.current(), b);
});

/** An engine whose event stream yields what is pushed to it, until its signal aborts; records each subscription. */
function eventSource(name: string) {
  const subscriptions: { sinceMs: number | undefined }[] = [];
  const waiting: ((e: ContainerEvent) => void)[] = [];
  const queue: ContainerEvent[] = [];
  const engine = {
    name,
    async *containerEvents(query: ContainerEventQuery): AsyncGenerator<ContainerEvent> {
      subscriptions.push({ sinceMs: query.sinceMs });
      while (!query.signal?.aborted) {
        const next =
          queue.shift() ??
          (await new Promise<ContainerEvent | undefined>((resolve) => {
            waiting.push(resolve);
            query.signal?.addEventListener('abort', () => resolve(undefined), { once: true });
          }));
        if (!next) return;
        yield next;
      }
    },
  };
  const push = (e: ContainerEvent) => {
    const w = waiting.shift();
    if (w) w(e);
    else queue.push(e);
  };
  return { engine: engine as unknown as ContainerEngine, subscriptions, push };
}

test('an event stream opened before a switch goes on with the new engine, from the last event seen', async () => {
  const a = eventSource('a');
  const b = eventSource('b');
  const s = switchableEngine(a.engine);
  const stop = new AbortController();
  const seen: string[] = [];
  const it = s.engine.containerEvents({ sinceMs: 5, signal: stop.signal })[Symbol.asyncIterator]();
  const first = it.next();
  a.push({ id: 'one', action: 'die', timeMs: 10, labels: {} } as ContainerEvent);
  seen.push(((await first).value as ContainerEvent).id);
  const second = it.next();
  s.use(b.engine);
  b.push({ id: 'two', action: 'die', timeMs: 20, labels: {} } as ContainerEvent);
  seen.push(((await second).value as ContainerEvent).id);
  assert.deepEqual(seen, ['one', 'two']);
  assert.deepEqual(a.subscriptions, [{ sinceMs: 5 }]);
  assert.deepEqual(b.subscriptions, [{ sinceMs: 10 }]);
  stop.abort();
  assert.equal((await it.next()).done, true);
});
