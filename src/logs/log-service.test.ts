import assert from 'node:assert/strict';
import { pollUntil } from '../core/abort.js';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import type { ContainerEngine, ContainerEvent, ContainerEventQuery, ContainerInfo, LogLine } from '../engine/port.js';
import { logTimeToUnixNanos, sinceToUnixNanos } from '../engine/docker-log-stream.js';
import { LABELS } from '../core/types.js';
import { openStore } from '../store/store.js';
import { LogService, type AppLogLine } from './log-service.js';

/** A fake engine for the logic of LogService: containers with log lines, follow streams and start events. */
class FakeLogEngine {
  readonly containers = new Map<string, ContainerInfo & { lines: LogLine[] }>();
  private readonly events: ContainerEvent[] = [];
  private waiters = new Set<() => void>();
  private clock = BigInt(Date.now()) * 1_000_000n;
  /** Listed, but gone when its logs are read. */
  readonly removed = new Set<string>();
  openLogStreams = 0;
  openEventStreams = 0;
  /** Lines handed out by follow streams (pulled by the service). */
  followedLinesPulled = 0;
  lists = 0;

  now(): string {
    const wall = BigInt(Date.now()) * 1_000_000n;
    this.clock = wall > this.clock ? wall : this.clock + 1n;
    const ms = this.clock / 1_000_000n;
    return (
      `${new Date(Number(ms)).toISOString().slice(0, 19)}.` +
      `${(this.clock % 1_000_000_000n).toString().padStart(9, '0')}Z`
    );
  }

  add(id: string, process: string, index: number, state: ContainerInfo['state'] = 'running'): void {
    const labels = {
      [LABELS.app]: 'shop',
      [LABELS.managed]: 'true',
      [LABELS.process]: process,
      [LABELS.index]: String(index),
      [LABELS.release]: 'v1',
    };
    this.containers.set(id, { id, name: id, image: 'img', labels, state, createdAt: '', lines: [] });
  }

  write(id: string, ...texts: string[]): void {
    for (const text of texts) this.containers.get(id)!.lines.push({ stream: 'stdout', time: this.now(), text });
    this.wake();
  }

  start(id: string, { announce = true } = {}): void {
    this.containers.get(id)!.state = 'running';
    if (announce)
      this.events.push({ action: 'start', id, labels: this.containers.get(id)!.labels, timeMs: Date.now() });
    this.wake();
  }

  stop(id: string): void {
    this.containers.get(id)!.state = 'exited';
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const w of waiters) w();
  }

  private until(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  readonly engine = {
    listContainers: async (labels: Record<string, string | undefined>) => {
      this.lists++;
      return [...this.containers.values()].filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v));
    },
    logs: (
      id: string,
      opts: { follow?: boolean; tail?: number; since?: number | string; until?: number | string; signal?: AbortSignal },
    ) => this.logs(id, opts),
    containerEvents: (query: ContainerEventQuery) => this.containerEvents(query),
  } as unknown as ContainerEngine;

  private async *logs(
    id: string,
    opts: { follow?: boolean; tail?: number; since?: number | string; until?: number | string; signal?: AbortSignal },
  ): AsyncGenerator<LogLine> {
    const c = this.containers.get(id);
    if (!c || this.removed.has(id)) throw new Error('no such container');
    this.openLogStreams++;
    try {
      const since = opts.since === undefined ? -1n : sinceToUnixNanos(opts.since);
      const until = opts.until === undefined ? undefined : sinceToUnixNanos(opts.until);
      let sent = opts.tail === undefined ? 0 : Math.max(0, c.lines.length - opts.tail);
      for (;;) {
        while (sent < c.lines.length) {
          const line = c.lines[sent++]!;
          if (logTimeToUnixNanos(line.time)! < since) continue;
          if (until !== undefined && logTimeToUnixNanos(line.time)! > until) return;
          if (opts.follow) this.followedLinesPulled++;
          yield line;
        }
        if (!opts.follow || c.state !== 'running' || opts.signal?.aborted) return;
        await this.until(opts.signal);
      }
    } finally {
      this.openLogStreams--;
    }
  }

  private async *containerEvents(query: ContainerEventQuery): AsyncGenerator<ContainerEvent> {
    this.openEventStreams++;
    try {
      let next = 0;
      while (!query.signal?.aborted) {
        while (next < this.events.length) {
          const event = this.events[next++]!;
          if (
            event.timeMs >= (query.sinceMs ?? 0) &&
            Object.entries(query.labels ?? {}).every(([k, v]) => event.labels[k] === v)
          )
            yield event;
        }
        await this.until(query.signal);
      }
    } finally {
      this.openEventStreams--;
    }
  }
}

async function take(it: AsyncIterator<AppLogLine>, n: number): Promise<string[]> {
  const texts: string[] = [];
  while (texts.length < n) {
    const next = await it.next();
    if (next.done) break;
    texts.push(`${next.value.dyno} ${next.value.text}`);
  }
  return texts;
}

function eventually(check: () => boolean, what: string): Promise<unknown> {
  return pollUntil(async () => check() || undefined, { timeoutMs: 5000, intervalMs: 5, what });
}

describe('LogService', () => {
  it(
    'merges the backlog of every container and the archive in time order, the newest N, redacted',
    { timeout: 15_000 },
    async () => {
      const fake = new FakeLogEngine();
      const store = openStore(':memory:', randomBytes(32));
      store.apps.create('shop', '');
      store.logs.append('shop', [
        {
          time: fake.now(),
          dyno: 'web.1',
          release: 'v0',
          stream: 'stdout',
          text: 'archived secret-1',
          containerId: 'gone',
        },
      ]);
      fake.add('a', 'web', 1);
      fake.add('b', 'worker', 1);
      fake.write('a', 'a1');
      fake.write('b', 'b1');
      fake.write('a', 'a2 secret-1');
      fake.write('b', 'b2');
      const logs = new LogService(fake.engine, store.logs);
      const all = [];
      for await (const line of logs.lines('shop', { tail: 100, redact: (s) => s.replaceAll('secret-1', '[SECRET]') }))
        all.push(`${line.dyno} ${line.text}`);
      assert.deepEqual(all, ['web.1 archived [SECRET]', 'web.1 a1', 'worker.1 b1', 'web.1 a2 [SECRET]', 'worker.1 b2']);
      const newest = [];
      for await (const line of logs.lines('shop', { tail: 3 })) newest.push(line.text);
      assert.deepEqual(newest, ['b1', 'a2 secret-1', 'b2']);
      const workers = [];
      for await (const line of logs.lines('shop', { tail: 10, process: 'worker' })) workers.push(line.text);
      assert.deepEqual(workers, ['b1', 'b2']);
      assert.equal(fake.openLogStreams, 0);
      fake.removed.add('b');
      const without = [];
      for await (const line of logs.lines('shop', { tail: 10 })) without.push(line.text);
      assert.deepEqual(
        without,
        ['archived secret-1', 'a1', 'a2 secret-1'],
        'a container removed meanwhile is skipped, not an error',
      );
      store.close();
    },
  );

  it(
    'follow: a known container continues exactly after its backlog; a container started later from its first line',
    { timeout: 15_000 },
    async () => {
      const fake = new FakeLogEngine();
      fake.add('a', 'web', 1);
      fake.write('a', 'old-1', 'old-2', 'old-3');
      const controller = new AbortController();
      const lines = new LogService(fake.engine, undefined, { pollMs: 60_000 }).lines('shop', {
        tail: 2,
        follow: true,
        signal: controller.signal,
      });
      const it = lines[Symbol.asyncIterator]();
      assert.deepEqual(await take(it, 2), ['web.1 old-2', 'web.1 old-3']);
      fake.write('a', 'after-backlog');
      assert.deepEqual(await take(it, 1), ['web.1 after-backlog'], 'nothing repeated, nothing lost');
      // A new container writes before the follower hears of it: its first lines still arrive.
      fake.add('b', 'web', 2, 'created');
      fake.write('b', 'b-first', 'b-second');
      fake.start('b');
      assert.deepEqual(await take(it, 2), ['web.2 b-first', 'web.2 b-second']);
      // A stopped container that starts again resumes after the last line shown.
      fake.stop('a');
      await eventually(() => fake.openLogStreams === 1, 'the stream of a to end');
      fake.write('a', 'a-restarted');
      fake.start('a');
      assert.deepEqual(await take(it, 1), ['web.1 a-restarted']);
      controller.abort();
      assert.deepEqual(await take(it, 1), []);
      await eventually(() => fake.openLogStreams === 0 && fake.openEventStreams === 0, 'every stream to close');
    },
  );

  it(
    'follow: the slow poll picks up a container whose start event was missed, from its first line',
    { timeout: 15_000 },
    async () => {
      const fake = new FakeLogEngine();
      const controller = new AbortController();
      const lines = new LogService(fake.engine, undefined, { pollMs: 20 }).lines('shop', {
        tail: 0,
        follow: true,
        signal: controller.signal,
      });
      const it = lines[Symbol.asyncIterator]();
      const first = it.next();
      await tick();
      fake.add('c', 'web', 1, 'created');
      fake.write('c', 'c-first');
      fake.start('c', { announce: false });
      assert.equal((await first).value?.text, 'c-first');
      controller.abort();
      await eventually(() => fake.openLogStreams === 0 && fake.openEventStreams === 0, 'every stream to close');
    },
  );

  it(
    'a client that stops reading stops the container streams (bounded); leaving releases streams, events and timers',
    { timeout: 15_000 },
    async () => {
      const fake = new FakeLogEngine();
      fake.add('a', 'web', 1);
      fake.add('b', 'web', 2);
      const controller = new AbortController();
      const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const lines = new LogService(fake.engine, undefined, { pollMs: 50 }).lines('shop', {
        tail: 0,
        follow: true,
        signal: controller.signal,
      });
      const it = lines[Symbol.asyncIterator]();
      const first = it.next();
      await eventually(() => fake.openLogStreams === 2, 'both containers followed');
      for (let i = 0; i < 20_000; i++) fake.write(i % 2 ? 'a' : 'b', `line ${i}`);
      await first;
      // The consumer reads nothing more. The fake engine is all in memory: an unbounded queue would
      // have pulled all 20,000 lines within these turns of the event loop.
      await eventually(() => fake.followedLinesPulled >= 500, 'the queue to fill');
      for (let i = 0; i < 50; i++) await tick();
      assert.ok(fake.followedLinesPulled < 1000, `${fake.followedLinesPulled} lines pulled from the engine`);
      await it.return(undefined);
      await eventually(() => fake.openLogStreams === 0 && fake.openEventStreams === 0, 'every stream to close');
      assert.ok(
        process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length <= timersBefore,
        'no timer left behind',
      );
    },
  );
});
