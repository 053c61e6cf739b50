import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStore } from './store.js';
import { SlipwayError } from '../core/errors.js';

function withStore(fn: (store: ReturnType<typeof openStore>, file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-store-'));
  const file = join(dir, 'slipway.db');
  const store = openStore(file, randomBytes(32));
  try {
    fn(store, file);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('config values are encrypted at rest in the SQLite file', () => {
  withStore((store, file) => {
    store.apps.create('shop', new Date().toISOString());
    store.apps.setConfig('shop', { SECRET_TOKEN: 'sup3r-s3cret-value' });
    const build = store.releases.addBuild({
      app: 'shop',
      imageId: 'sha256:1',
      imageRef: 'sha256:1',
      source: { kind: 'image', image: 'x' },
      procfile: null,
      createdAt: '',
    });
    store.releases.create({
      app: 'shop',
      buildId: build.id,
      config: store.apps.config('shop'),
      description: 'd',
      now: '',
    });
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    assert.equal(readFileSync(file).includes(Buffer.from('sup3r-s3cret-value')), false);
    assert.deepEqual(store.apps.config('shop'), { SECRET_TOKEN: 'sup3r-s3cret-value' });
    assert.deepEqual(store.releases.config('shop', 1), { SECRET_TOKEN: 'sup3r-s3cret-value' });
    assert.deepEqual(store.releases.get('shop', 1).configKeys, ['SECRET_TOKEN']);
  });
});

test('release versions increase per app; a new app starts with web=1', () => {
  withStore((store) => {
    store.apps.create('a', '');
    store.apps.create('b', '');
    const build = store.releases.addBuild({
      app: 'a',
      imageId: 'i',
      imageRef: 'i',
      source: { kind: 'image', image: 'i' },
      procfile: null,
      createdAt: '',
    });
    const buildB = store.releases.addBuild({
      app: 'b',
      imageId: 'i',
      imageRef: 'i',
      source: { kind: 'image', image: 'i' },
      procfile: null,
      createdAt: '',
    });
    assert.equal(
      store.releases.create({ app: 'a', buildId: build.id, config: {}, description: '', now: '' }).version,
      1,
    );
    assert.equal(
      store.releases.create({ app: 'a', buildId: build.id, config: {}, description: '', now: '' }).version,
      2,
    );
    assert.equal(
      store.releases.create({ app: 'b', buildId: buildB.id, config: {}, description: '', now: '' }).version,
      1,
    );
    assert.deepEqual(store.apps.formation('a'), { web: 1 });
  });
});

test('one running deployment per app; journal keeps steps and events in order', () => {
  withStore((store) => {
    store.apps.create('a', '');
    const d = store.deployments.start({ app: 'a', release: 1, kind: 'deploy', now: '' });
    assert.throws(
      () => store.deployments.start({ app: 'a', release: 2, kind: 'deploy', now: '' }),
      (e: unknown) => e instanceof SlipwayError && e.code === 'DEPLOY_IN_PROGRESS',
    );
    const seqs = store.deployments.appendSteps(d.id, [{ kind: 'x' }, { kind: 'y' }]);
    store.deployments.markStep(d.id, seqs[0]!, 'started', 't1');
    store.deployments.markStep(d.id, seqs[0]!, 'done', 't2', { ok: 1 });
    assert.deepEqual(
      store.deployments.steps(d.id).map((s) => s.status),
      ['done', 'pending'],
    );
    store.deployments.addEvent(d.id, { type: 'info', text: 'one', at: '' });
    store.deployments.addEvent(d.id, { type: 'info', text: 'two', at: '' });
    assert.deepEqual(
      store.deployments.events(d.id).map((e) => (e as { text: string }).text),
      ['one', 'two'],
    );
    store.deployments.finish(d.id, 'succeeded', '');
    assert.equal(store.deployments.start({ app: 'a', release: 2, kind: 'deploy', now: '' }).status, 'running');
  });
});

test('creating an existing app and reading a missing one fail with codes and hints', () => {
  withStore((store) => {
    store.apps.create('a', '');
    assert.throws(
      () => store.apps.create('a', ''),
      (e: unknown) => e instanceof SlipwayError && e.code === 'APP_EXISTS' && !!e.hint,
    );
    assert.throws(
      () => store.apps.get('zzz'),
      (e: unknown) => e instanceof SlipwayError && e.code === 'APP_NOT_FOUND' && !!e.hint,
    );
  });
});
