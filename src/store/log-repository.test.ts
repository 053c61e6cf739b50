import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { openStore } from './store.js';
import type { StoredLogLine } from './log-repository.js';

function storeWith(...apps: string[]): ReturnType<typeof openStore> {
  const store = openStore(':memory:', randomBytes(32));
  for (const app of apps) store.apps.create(app, '');
  return store;
}

function line(i: number, dyno = 'web.1'): StoredLogLine {
  return {
    time: `2026-01-01T00:00:00.${String(i).padStart(9, '0')}Z`,
    dyno,
    release: 'v1',
    stream: 'stdout',
    text: `line ${i}`,
    containerId: 'c1',
  };
}

describe('LogRepository backlog reads', () => {
  it('newestTimes: the times of the newest N lines, oldest first, of one process type when asked', () => {
    const store = storeWith('app', 'other');
    const lines = Array.from({ length: 1200 }, (_, i) =>
      line(i, i % 3 === 0 ? 'worker.1' : i % 3 === 1 ? 'web.2' : 'web_x.1'),
    );
    store.logs.append('app', lines);
    store.logs.append('other', [line(5000)]);
    assert.deepEqual(
      [...store.logs.newestTimes('app', 1000)].map((l) => l.time),
      lines.slice(200).map((l) => l.time),
    );
    assert.equal([...store.logs.newestTimes('app', 5000)].length, 1200, 'fewer than asked: all of them');
    const web = [...store.logs.newestTimes('app', 3, 'web')];
    assert.deepEqual(
      web.map((l) => l.time),
      [1192, 1195, 1198].map((i) => line(i).time),
      '`web_x` is not `web` (no LIKE wildcards)',
    );
    assert.deepEqual([...store.logs.newestTimes('app', 0)], []);
    store.close();
  });

  it('between: lines in a time window, oldest first, over many pages, with a limit', () => {
    const store = storeWith('app');
    const lines = Array.from({ length: 1500 }, (_, i) => line(i));
    store.logs.append('app', lines);
    const window = [...store.logs.between('app', { from: line(100).time, until: line(1399).time })];
    assert.deepEqual(
      window.map((l) => l.text),
      lines.slice(100, 1400).map((l) => l.text),
    );
    assert.equal([...store.logs.between('app', {})].length, 1500);
    assert.equal([...store.logs.between('app', { from: line(10).time }, undefined, 5)].at(-1)!.text, 'line 14');
    assert.deepEqual(
      [...store.logs.between('app', { until: line(1).time }, 'web')].map((l) => l.text),
      ['line 0', 'line 1'],
    );
    store.close();
  });

  it('keeps lines with the same time in insertion order', () => {
    const store = storeWith('app');
    const same = (text: string): StoredLogLine => ({ ...line(1), text });
    store.logs.append('app', [same('a'), same('b'), same('c'), same('d')]);
    assert.deepEqual(
      [...store.logs.between('app', { from: line(1).time })].map((l) => l.text),
      ['a', 'b', 'c', 'd'],
    );
    assert.equal([...store.logs.newestTimes('app', 3)].length, 3);
    store.close();
  });
});
