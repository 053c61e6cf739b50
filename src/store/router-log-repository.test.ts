import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from './database.js';
import { RouterLogRepository } from './router-log-repository.js';
import { withTempStore } from './testing/temp-store.js';
import { accessLogLine as entry } from '../router/testing/access-log-line.js';

const paths = (repo: RouterLogRepository, app: string, tail: number) => {
  const { afterId, lastId } = repo.tailBounds(app, tail);
  return [...repo.between(app, afterId, lastId, 2)].map((l) => l.entry.path);
};

test('router log lines: capped per app (oldest go), tail read in pages, unknown apps dropped', () =>
  withTempStore(
    (store, file) => {
      const db = openDatabase(file);
      try {
        const repo = new RouterLogRepository(db, 3);
        repo.append(['/1', '/2', '/3', '/4', '/5'].map((p) => entry('a', p)));
        repo.append([entry('b', '/b1'), entry('gone', '/x')]);
        assert.deepEqual(paths(repo, 'a', 10), ['/3', '/4', '/5']);
        assert.deepEqual(paths(repo, 'a', 2), ['/4', '/5']);
        assert.deepEqual(paths(repo, 'b', 10), ['/b1']);
        assert.deepEqual(paths(repo, 'gone', 10), []);
        const { afterId, lastId } = repo.tailBounds('a', 0);
        assert.equal(afterId, lastId, 'tail 0: nothing of the backlog');
        store.apps.delete('a');
        assert.deepEqual(paths(repo, 'a', 10), [], 'the lines go with their app');
      } finally {
        db.close();
      }
    },
    ['a', 'b'],
  ));

test('maintenance state: a stored value that no longer reads is a problem, not a crash', () =>
  withTempStore(
    (store) => {
      assert.deepEqual(store.maintenance.find('a'), { state: undefined });
      const state = { enabled: true, retryAfterSec: 60, changedAt: 't', changedBy: 'admin', page: '<p>x</p>' };
      store.maintenance.put('a', state);
      assert.deepEqual(store.maintenance.find('a'), { state });
      store.db.prepare('UPDATE apps SET maintenance_json = \'{"enabled":"yes"}\' WHERE name = \'a\'').run();
      const broken = store.maintenance.find('a');
      assert.equal(broken.state, undefined);
      assert.match('problem' in broken ? (broken.problem ?? '') : '', /stored maintenance state/);
      store.db.prepare("UPDATE apps SET maintenance_json = 'nope' WHERE name = 'a'").run();
      assert.match(JSON.stringify(store.maintenance.find('a')), /not JSON/);
    },
    ['a'],
  ));
