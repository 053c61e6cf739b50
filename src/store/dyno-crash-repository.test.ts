import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore } from './store.js';

test('dyno crash history is stored per app, updated in place, forgets dynos scaled away and goes with the app', () => {
  const store = openStore(':memory:', randomBytes(32));
  try {
    store.apps.create('shop', new Date().toISOString());
    store.apps.create('blog', new Date().toISOString());
    store.dynoCrashes.put({
      app: 'shop',
      dyno: 'web.1',
      release: 3,
      restarts: 2,
      crashes: [1000, 2000],
      lastExitCode: 137,
      lastContainer: 'abc',
      nextRestartAt: 4000,
    });
    store.dynoCrashes.put({ app: 'shop', dyno: 'web.2', release: 3, restarts: 0, crashes: [1500] });
    store.dynoCrashes.put({ app: 'blog', dyno: 'web.1', release: 1, restarts: 1, crashes: [] });
    store.dynoCrashes.put({ app: 'shop', dyno: 'web.2', release: 3, restarts: 1, crashes: [] });
    assert.deepEqual(store.dynoCrashes.forApp('shop'), [
      {
        app: 'shop',
        dyno: 'web.1',
        release: 3,
        restarts: 2,
        crashes: [1000, 2000],
        lastExitCode: 137,
        lastContainer: 'abc',
        nextRestartAt: 4000,
      },
      { app: 'shop', dyno: 'web.2', release: 3, restarts: 1, crashes: [] },
    ]);
    store.dynoCrashes.removeExcept('shop', ['web.1']);
    assert.deepEqual(
      store.dynoCrashes.forApp('shop').map((s) => s.dyno),
      ['web.1'],
    );
    assert.equal(store.dynoCrashes.forApp('blog').length, 1);
    store.apps.delete('shop');
    assert.deepEqual(store.dynoCrashes.forApp('shop'), [], 'destroying the app removes its history');
  } finally {
    store.close();
  }
});

test(
  'routes keep the address HAProxy reaches the ' + 'container at; a route stored before migration 5 means 127.0.0.1',
  () => {
    const store = openStore(':memory:', randomBytes(32));
    try {
      store.apps.create('shop', new Date().toISOString());
      store.routes.upsert({
        app: 'shop',
        serverName: 'web-1-abc',
        containerId: 'abc',
        address: '172.17.0.5',
        port: 5000,
        state: 'ready',
      });
      store.db
        .prepare(
          'INSERT INTO routes (app, server_name, container_id, port, ' +
            "state) VALUES ('shop', 'web-2-old', 'old', 32768, 'ready')",
        )
        .run();
      assert.deepEqual(
        store.routes.forApp('shop').map((r) => [r.serverName, r.address, r.port]),
        [
          ['web-1-abc', '172.17.0.5', 5000],
          ['web-2-old', '127.0.0.1', 32768],
        ],
      );
    } finally {
      store.close();
    }
  },
);
