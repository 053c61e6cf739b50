import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from './store.js';
import { withTempStore } from './testing/temp-store.js';
import { accessLogLine } from '../router/testing/access-log-line.js';

/** An app with a release, config, a domain, a route, a log line, a router log line and a build record. */
function seed(store: Store, app: string): void {
  const now = new Date().toISOString();
  store.apps.create(app, now);
  store.apps.setConfig(app, { SECRET: 'v' });
  store.apps.setFormation(app, { web: 2 });
  const build = store.releases.addBuild({
    app,
    imageId: 'sha256:abc',
    imageRef: `slipway/${app}:build-1`,
    source: { kind: 'dir', description: 'dir' },
    procfile: null,
    createdAt: now,
  });
  store.releases.create({ app, buildId: build.id, config: { SECRET: 'v' }, description: 'd', now });
  store.apps.setCurrentRelease(app, 1);
  store.domains.add({ host: `www.${app}.test`, app, createdAt: now });
  store.routes.upsert({ app, serverName: 'web-1', containerId: 'c1', address: '10.0.0.2', port: 5000, state: 'ready' });
  store.logs.append(app, [
    { time: now, dyno: 'web.1', release: 'v1', stream: 'stdout', text: 'hi', containerId: 'c0' },
  ]);
  store.routerLogs.append([accessLogLine(app, '/')]);
  store.buildRecords.start({ id: `b-${app}`, app, source: { description: 'dir' }, startedBy: 'admin', startedAt: now });
}

test('rename moves the app and every row that names it, in one transaction', () =>
  withTempStore((store) => {
    seed(store, 'shop');
    seed(store, 'other');
    const lock = store.deployments.start({ app: 'shop', release: 1, kind: 'restart', now: '' });
    const rename = store.renames.rename({
      from: 'shop',
      to: 'store',
      deploymentId: lock.id,
      now: 'now',
      images: new Map([['slipway/shop:build-1', 'slipway/store:build-1']]),
    });
    assert.deepEqual(rename, { id: 1, app: 'store', formerName: 'shop', deploymentId: lock.id, startedAt: 'now' });
    assert.equal(store.apps.find('shop'), undefined);
    const app = store.apps.get('store');
    assert.equal(app.currentRelease, 1);
    assert.deepEqual(store.apps.config('store'), { SECRET: 'v' });
    assert.deepEqual(store.apps.formation('store'), { web: 2 });
    assert.equal(store.releases.list('store').length, 1);
    assert.equal(store.releases.build(store.releases.get('store', 1).buildId).imageRef, 'slipway/store:build-1');
    assert.deepEqual(
      store.domains.forApp('store').map((d) => d.host),
      ['www.shop.test'],
    );
    assert.equal(store.routes.forApp('store').length, 1);
    assert.equal([...store.logs.between('store', {})].length, 1);
    const { lastId } = store.routerLogs.tailBounds('store', 10);
    assert.equal([...store.routerLogs.between('store', 0, lastId)][0]?.entry.app, 'store');
    assert.equal(store.buildRecords.get('store', 'b-shop').app, 'store');
    assert.equal(store.deployments.get(lock.id).app, 'store');
    assert.deepEqual(
      store.renames.pending().map((r) => r.formerName),
      ['shop'],
    );
    // The other app is untouched; no row is left pointing at the old name.
    assert.equal(store.releases.build(store.releases.get('other', 1).buildId).imageRef, 'slipway/other:build-1');
    for (const table of ['builds', 'releases', 'formation', 'deployments', 'routes', 'domains', 'log_lines']) {
      const n = store.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE app = 'shop'`).get() as { n: number };
      assert.equal(n.n, 0, table);
    }
    store.renames.finish(rename.id, 'later');
    assert.deepEqual(store.renames.pending(), []);
    assert.equal(store.renames.latest('store')?.finishedAt, 'later');
  }));

test('rename to a name in use changes nothing', () =>
  withTempStore((store) => {
    seed(store, 'shop');
    seed(store, 'other');
    assert.throws(() =>
      store.renames.rename({ from: 'shop', to: 'other', deploymentId: 1, now: '', images: new Map() }),
    );
    assert.equal(store.apps.get('shop').currentRelease, 1);
    assert.equal(store.domains.forApp('shop').length, 1);
    assert.deepEqual(store.renames.pending(), []);
  }));
