import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planOtherTypes, planRollout } from './plan-rollout.js';
import type { ObservedContainer } from './plan-types.js';

const web = (
  id: string,
  release: number,
  index: number,
  extra: Partial<ObservedContainer> = {},
): ObservedContainer => ({
  id,
  process: 'web',
  release,
  index,
  state: 'running',
  serverName: `web-${id}`,
  ...extra,
});

const retire = (id: string) => [
  { kind: 'drain', containerId: id, serverName: `web-${id}` },
  { kind: 'wait-drained', containerId: id, serverName: `web-${id}` },
  { kind: 'route-remove', containerId: id, serverName: `web-${id}` },
  { kind: 'stop', containerId: id },
  { kind: 'remove', containerId: id },
];

const startWeb = (index: number, release: number) => {
  const key = `web.${index}@v${release}`;
  return [
    { kind: 'start', key, process: 'web', index, release },
    { kind: 'probe', key },
    { kind: 'route-add', key },
    { kind: 'wait-up', key },
  ];
};

test('first deploy starts one routed web container', () => {
  const steps = planRollout({ release: 1, processes: { web: null }, formation: { web: 1 } }, []);
  assert.deepEqual(steps, startWeb(1, 1));
});

test('rolling deploy interleaves: new one up before each old one drains', () => {
  const steps = planRollout({ release: 2, processes: { web: null }, formation: { web: 2 } }, [
    web('a', 1, 1),
    web('b', 1, 2),
  ]);
  assert.deepEqual(steps, [...startWeb(1, 2), ...retire('a'), ...startWeb(2, 2), ...retire('b')]);
});

test('scale up keeps current containers and adds missing indices', () => {
  const steps = planRollout({ release: 3, processes: { web: null }, formation: { web: 3 } }, [web('a', 3, 1)]);
  assert.deepEqual(steps, [...startWeb(2, 3), ...startWeb(3, 3)]);
});

test('scale down drains the highest index first', () => {
  const steps = planRollout({ release: 3, processes: { web: null }, formation: { web: 1 } }, [
    web('a', 3, 1),
    web('b', 3, 2),
    web('c', 3, 3),
  ]);
  assert.deepEqual(steps, [...retire('c'), ...retire('b')]);
});

test('nothing to do when observed matches desired', () => {
  assert.deepEqual(
    planRollout({ release: 3, processes: { web: null }, formation: { web: 2 } }, [web('a', 3, 1), web('b', 3, 2)]),
    [],
  );
});

test('an exited container is removed without drain, and its slot refilled', () => {
  const steps = planRollout({ release: 3, processes: { web: null }, formation: { web: 1 } }, [
    web('a', 3, 1, { state: 'exited' }),
  ]);
  assert.deepEqual(steps, [
    { kind: 'route-remove', containerId: 'a', serverName: 'web-a' },
    { kind: 'remove', containerId: 'a' },
    ...startWeb(1, 3),
  ]);
});

test('a running container of the release that is not routed is replaced', () => {
  const steps = planRollout({ release: 3, processes: { web: null }, formation: { web: 1 } }, [
    web('a', 3, 1, { serverName: undefined }),
  ]);
  assert.deepEqual(steps, [
    ...startWeb(1, 3),
    { kind: 'stop', containerId: 'a' },
    { kind: 'remove', containerId: 'a' },
  ]);
});

test('workers are replaced after web, without routing', () => {
  const worker: ObservedContainer = { id: 'w', process: 'worker', release: 1, index: 1, state: 'running' };
  const steps = planRollout(
    { release: 2, processes: { web: 'node web.js', worker: 'node worker.js' }, formation: { web: 1, worker: 1 } },
    [web('a', 1, 1), worker],
  );
  assert.deepEqual(steps, [
    ...startWeb(1, 2),
    ...retire('a'),
    { kind: 'start', key: 'worker.1@v2', process: 'worker', index: 1, release: 2 },
    { kind: 'check-running', key: 'worker.1@v2' },
    { kind: 'stop', containerId: 'w' },
    { kind: 'remove', containerId: 'w' },
  ]);
});

test('a process type missing from the new release is retired', () => {
  const worker: ObservedContainer = { id: 'w', process: 'worker', release: 1, index: 1, state: 'running' };
  const steps = planRollout({ release: 2, processes: { web: null }, formation: { web: 1, worker: 1 } }, [
    web('a', 2, 1),
    worker,
  ]);
  assert.deepEqual(steps, [
    { kind: 'stop', containerId: 'w' },
    { kind: 'remove', containerId: 'w' },
  ]);
});

test('reverting to an older release keeps its containers and replaces the new ones', () => {
  const steps = planRollout({ release: 1, processes: { web: null }, formation: { web: 2 } }, [
    web('new', 2, 1),
    web('old', 1, 2),
  ]);
  assert.deepEqual(steps, [...startWeb(1, 1), ...retire('new')]);
});

test('containers of an equivalent release (same build and config) are kept', () => {
  const steps = planRollout({ release: 5, equivalentReleases: [3], processes: { web: null }, formation: { web: 2 } }, [
    web('a', 3, 1),
    web('b', 4, 2),
  ]);
  assert.deepEqual(steps, [...startWeb(2, 5), ...retire('b')]);
});

test('restart replaces every container of the type one by one', () => {
  const steps = planRollout({ release: 3, restartTypes: ['web'], processes: { web: null }, formation: { web: 2 } }, [
    web('a', 3, 1),
    web('b', 3, 2),
  ]);
  assert.deepEqual(steps, [...startWeb(1, 3), ...retire('b'), ...startWeb(2, 3), ...retire('a')]);
});

test('replace moves only the named containers, each new one UP before the old one drains', () => {
  const desired = {
    release: 3,
    replace: ['b', 'w'],
    processes: { web: null, worker: 'w' },
    formation: { web: 3, worker: 1 },
  };
  const worker: ObservedContainer = { id: 'w', process: 'worker', release: 3, index: 1, state: 'running' };
  const steps = planRollout(desired, [web('a', 3, 1), web('b', 3, 2), web('c', 3, 3), worker]);
  assert.deepEqual(steps, [
    ...startWeb(2, 3),
    ...retire('b'),
    { kind: 'start', key: 'worker.1@v3', process: 'worker', index: 1, release: 3 },
    { kind: 'check-running', key: 'worker.1@v3' },
    { kind: 'stop', containerId: 'w' },
    { kind: 'remove', containerId: 'w' },
  ]);
  // Ids that are not there (already gone) change nothing.
  assert.deepEqual(
    planRollout({ ...desired, replace: ['gone'] }, [web('a', 3, 1), web('b', 3, 2), web('c', 3, 3), worker]),
    [],
  );
});

test('a kept server that a failed rollout left drained (or staged at weight 0) goes back into rotation first', () => {
  const desired = { release: 3, processes: { web: null }, formation: { web: 2 } };
  const steps = planRollout(desired, [
    web('a', 3, 1, { routeState: 'drain' }),
    web('b', 3, 2, { routeState: 'ready', routeWeight: 0 }),
    web('n', 4, 1, { routeState: 'ready' }),
  ]);
  assert.deepEqual(steps, [
    { kind: 'route-ready', containerId: 'a', serverName: 'web-a' },
    { kind: 'route-ready', containerId: 'b', serverName: 'web-b' },
    ...retire('n'),
  ]);
  // Servers already in rotation (or with no stored state) get no step.
  assert.deepEqual(planRollout(desired, [web('a', 3, 1, { routeState: 'ready' }), web('b', 3, 2)]), []);
});

test('the other process types roll as usual; web is left to the caller', () => {
  const worker: ObservedContainer = { id: 'w', process: 'worker', release: 1, index: 1, state: 'running' };
  const desired = { release: 2, processes: { web: null, worker: 'w' }, formation: { web: 1, worker: 1 } };
  const steps = planOtherTypes(desired, [web('a', 1, 1), worker], 'web');
  assert.deepEqual(
    steps.map((s) => `${s.kind} ${'key' in s ? s.key : 'containerId' in s ? s.containerId : ''}`),
    ['start worker.1@v2', 'check-running worker.1@v2', 'stop w', 'remove w'],
  );
});
