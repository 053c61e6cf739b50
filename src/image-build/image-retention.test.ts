import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planImageRetention, keepReleasesFromEnv } from './image-retention.js';

const build = (id: number, kind = 'dir') => ({
  id,
  imageId: `sha256:${id}`,
  imageRef: kind === 'dir' ? `slipway/app:build-${id}` : `sha256:${id}`,
  kind,
});

test('keeps the last N releases, the current and warm ones, and the last N builds; prunes the rest', () => {
  const builds = Array.from({ length: 10 }, (_, i) => build(i + 1));
  // v1..v8 → builds 1..8; builds 9, 10 not released
  const releases = builds.slice(0, 8).map((b, i) => ({ version: i + 1, buildId: b.id }));
  const plan = planImageRetention({ builds, releases, current: 2, warm: [1], keep: 3 });
  // last 3 releases: v8,v7,v6 → builds 8,7,6; current v2 → 2; warm v1 → 1; last 3 builds: 10,9,8
  assert.deepEqual(plan.keep, [1, 2, 6, 7, 8, 9, 10]);
  assert.deepEqual(
    plan.prune.map((b) => b.id),
    [3, 4, 5],
  );
});

test('never prunes an image deployed with --image, nor a reference a kept build shares', () => {
  const builds = [build(1, 'image'), build(2), { ...build(3), imageRef: 'slipway/app:build-9' }, build(4), build(9)];
  const releases = builds.map((b, i) => ({ version: i + 1, buildId: b.id }));
  const plan = planImageRetention({ builds, releases, current: 5, warm: [], keep: 1 });
  assert.deepEqual(
    plan.prune.map((b) => b.id),
    [2, 4],
  );
});

test('retention count from SLIPWAY_KEEP_RELEASES, default 5', () => {
  assert.equal(keepReleasesFromEnv({}), 5);
  assert.equal(keepReleasesFromEnv({ SLIPWAY_KEEP_RELEASES: '2' }), 2);
  assert.equal(keepReleasesFromEnv({ SLIPWAY_KEEP_RELEASES: '0' }), 5);
});
