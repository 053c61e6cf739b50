import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../store/store.js';
import { withTempStore } from '../store/testing/temp-store.js';
import { accessLogLine } from '../router/testing/access-log-line.js';
import { RouterLogService } from './router-log-service.js';
import { RouterLogRepository } from '../store/router-log-repository.js';

const withStore = (fn: (store: Store) => Promise<void>) => withTempStore(fn, ['shop']);
const entry = (path: string) => accessLogLine('shop', path);

test('the backlog then followed lines: none missed, none twice, across the unflushed ones', () =>
  withStore(async (store) => {
    const service = new RouterLogService(store.routerLogs, { flushMs: 10_000 });
    service.ingest(entry('/1'));
    service.flush();
    service.ingest(entry('/2')); // not in the store yet
    const controller = new AbortController();
    const lines = service.lines('shop', { tail: 10, follow: true, signal: controller.signal })[Symbol.asyncIterator]();
    const first = await lines.next();
    assert.equal(first.value?.router.path, '/1');
    assert.equal(first.value?.dyno, 'router');
    assert.match(first.value?.text ?? '', /^method=GET path="\/1" host=shop\.test status=200/);
    assert.equal((await lines.next()).value?.router.path, '/2');
    service.ingest(entry('/3'));
    assert.equal((await lines.next()).value?.router.path, '/3');
    controller.abort();
    assert.equal((await lines.next()).done, true, 'a client that leaves ends the stream');
    const stored = [];
    for await (const l of service.lines('shop', { tail: 2 })) stored.push(l.router.path);
    assert.deepEqual(stored, ['/2', '/3'], 'tail: the newest lines, from the store');
    service.close();
  }));

test('a follower that does not keep up loses lines and is told how many; the store keeps them', () =>
  withStore(async (store) => {
    const service = new RouterLogService(store.routerLogs, { followerQueue: 3 });
    const lines = service.lines('shop', { tail: 0, follow: true })[Symbol.asyncIterator]();
    const pending = lines.next();
    service.ingest(entry('/a')); // handed to the waiting reader
    assert.equal((await pending).value?.router.path, '/a');
    for (let i = 0; i < 10; i++) service.ingest(entry(`/b${i}`));
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await lines.next()).value?.text);
    assert.match(got[0]!, /method=GET path="\/b0"/);
    assert.equal(got[3], '7 router log lines not sent, client too slow');
    await lines.return?.(undefined);
    service.flush();
    const all = [];
    for await (const l of service.lines('shop', { tail: 100 })) all.push(l.router.path);
    assert.equal(all.length, 11);
    service.close();
  }));

test('a batch writes only the newest lines each app keeps (the others would be trimmed at once)', () =>
  withStore(async (store) => {
    const repo = new RouterLogRepository(store.db, 3);
    const service = new RouterLogService(repo);
    for (let i = 1; i <= 8; i++) service.ingest(entry(`/${i}`));
    service.flush();
    const { afterId, lastId } = repo.tailBounds('shop', 100);
    assert.deepEqual(
      [...repo.between('shop', afterId, lastId)].map((l) => [l.id, l.entry.path]),
      [
        [1, '/6'],
        [2, '/7'],
        [3, '/8'],
      ],
    );
    service.close();
  }));
