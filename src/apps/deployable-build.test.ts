import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore } from '../store/store.js';
import { isSlipwayError } from '../core/errors.js';
import { FakeEngine } from '../deploy/testing/fake-ports.js';
import { deployableBuild } from './deployable-build.js';

function setup() {
  const store = openStore(':memory:', randomBytes(32));
  const engine = new FakeEngine();
  const now = new Date().toISOString();
  for (const app of ['shop', 'blog']) store.apps.create(app, now);
  const addBuild = (app: string, imageRef: string, kind: 'dir' | 'image') =>
    store.releases.addBuild({
      app,
      imageId: `sha256:${imageRef}`,
      imageRef,
      source: kind === 'dir' ? { kind, description: 'src' } : { kind, image: imageRef },
      procfile: null,
      createdAt: now,
    });
  const recorded = (app: string, id: string, imageRef: string) => {
    const build = addBuild(app, imageRef, 'dir');
    store.buildRecords.start({ id, app, source: { description: 'src' }, startedBy: 'admin', startedAt: now });
    store.buildRecords.finish(id, {
      buildId: build.id,
      imageId: build.imageId,
      imageRef,
      strategy: 'dockerfile',
      steps: [],
      log: '',
      finishedAt: now,
    });
    return build;
  };
  return { store, engine, now, addBuild, recorded };
}

const code = (expected: string) => (err: unknown) => isSlipwayError(err) && err.code === expected;

test('deploy --build takes a build record id or the build number releases show, for the same build', async () => {
  const { store, engine, recorded } = setup();
  const build = recorded('shop', 'lmn3x-4f2a9c', 'slipway/shop:b1');
  assert.equal((await deployableBuild({ store, engine }, 'shop', 'lmn3x-4f2a9c')).id, build.id);
  assert.equal((await deployableBuild({ store, engine }, 'shop', String(build.id))).id, build.id);
  await assert.rejects(deployableBuild({ store, engine }, 'blog', String(build.id)), code('NOT_FOUND'));
  await assert.rejects(deployableBuild({ store, engine }, 'shop', '999'), code('NOT_FOUND'));
  await assert.rejects(deployableBuild({ store, engine }, 'shop', 'no-such-record'), code('NOT_FOUND'));
});

test('a build number of an --image deploy works while its image is on the host', async () => {
  const { store, engine, addBuild } = setup();
  const build = addBuild('shop', 'shop:1.4.2', 'image');
  await assert.rejects(deployableBuild({ store, engine }, 'shop', String(build.id)), code('IMAGE_NOT_FOUND'));
  engine.images.add('shop:1.4.2');
  assert.equal((await deployableBuild({ store, engine }, 'shop', String(build.id))).imageRef, 'shop:1.4.2');
});

test('a failed or pruned build is refused, by record id and by number alike', async () => {
  const { store, engine, now, recorded } = setup();
  store.buildRecords.start({
    id: 'failed-1',
    app: 'shop',
    source: { description: 'src' },
    startedBy: 'a',
    startedAt: now,
  });
  store.buildRecords.fail('failed-1', {
    error: { code: 'BUILD_FAILED', message: 'x' },
    steps: [],
    log: '',
    finishedAt: now,
  });
  await assert.rejects(deployableBuild({ store, engine }, 'shop', 'failed-1'), code('INVALID_INPUT'));
  const pruned = recorded('shop', 'pruned-1', 'slipway/shop:b2');
  store.buildRecords.markPruned([pruned.id], now);
  await assert.rejects(deployableBuild({ store, engine }, 'shop', 'pruned-1'), code('IMAGE_NOT_FOUND'));
  await assert.rejects(deployableBuild({ store, engine }, 'shop', String(pruned.id)), code('IMAGE_NOT_FOUND'));
});
