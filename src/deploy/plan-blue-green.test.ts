import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planBlueGreen, planInstantRollback, planWarmSwitch } from './plan-blue-green.js';
import type { ObservedContainer } from './plan-types.js';

const web = (id: string, release: number, index: number): ObservedContainer => ({
  id,
  process: 'web',
  release,
  index,
  state: 'running',
  serverName: `web-${id}`,
});

test('blue-green starts and stages the whole new set before one switch, then parks the old set', () => {
  const steps = planBlueGreen({ release: 2, processes: { web: null }, formation: { web: 2 } }, [
    web('a', 1, 1),
    web('b', 1, 2),
  ]);
  assert.deepEqual(steps, [
    { kind: 'start', key: 'web.1@v2', process: 'web', index: 1, release: 2 },
    { kind: 'start', key: 'web.2@v2', process: 'web', index: 2, release: 2 },
    { kind: 'probe', key: 'web.1@v2' },
    { kind: 'route-add', key: 'web.1@v2', weight: 0 },
    { kind: 'wait-up', key: 'web.1@v2' },
    { kind: 'probe', key: 'web.2@v2' },
    { kind: 'route-add', key: 'web.2@v2', weight: 0 },
    { kind: 'wait-up', key: 'web.2@v2' },
    {
      kind: 'switch',
      enable: ['web.1@v2', 'web.2@v2'],
      drain: [
        { containerId: 'a', serverName: 'web-a' },
        { containerId: 'b', serverName: 'web-b' },
      ],
    },
    { kind: 'park', containerId: 'a', serverName: 'web-a' },
    { kind: 'park', containerId: 'b', serverName: 'web-b' },
  ]);
});

test('workers are replaced after the switch, rolling', () => {
  const worker: ObservedContainer = { id: 'w', process: 'worker', release: 1, index: 1, state: 'running' };
  const steps = planBlueGreen({ release: 2, processes: { web: null, worker: 'w' }, formation: { web: 1, worker: 1 } }, [
    web('a', 1, 1),
    worker,
  ]);
  assert.deepEqual(
    steps.slice(-4).map((s) => s.kind),
    ['start', 'check-running', 'stop', 'remove'],
  );
  assert.equal(steps.findIndex((s) => s.kind === 'switch') < steps.findIndex((s) => s.kind === 'check-running'), true);
});

test('instant rollback enables the warm set and parks the current one', () => {
  assert.deepEqual(planWarmSwitch([web('old', 1, 1)], [web('new', 2, 1)]), [
    {
      kind: 'switch-warm',
      enable: [{ containerId: 'old', serverName: 'web-old' }],
      drain: [{ containerId: 'new', serverName: 'web-new' }],
    },
    { kind: 'park', containerId: 'new', serverName: 'web-new' },
  ]);
});

test('an instant rollback to a warm set switches web back and rolls the other types', () => {
  const worker: ObservedContainer = { id: 'w', process: 'worker', release: 2, index: 1, state: 'running' };
  const plan = planInstantRollback(new Set([1]));
  const steps = plan(
    { release: 3, processes: { web: null, worker: 'w' }, formation: { web: 1, worker: 1 } },
    [web('new', 2, 1), worker],
    [web('old', 1, 1), web('older', 0, 1)],
  );
  assert.deepEqual(steps.slice(0, 2), planWarmSwitch([web('old', 1, 1)], [web('new', 2, 1)]));
  assert.deepEqual(
    steps.slice(2).map((s) => s.kind),
    ['start', 'check-running', 'stop', 'remove'],
  );
});

test('blue-green with the set already in place only returns drained servers to rotation', () => {
  const drained = { ...web('a', 2, 1), routeState: 'drain' as const };
  assert.deepEqual(planBlueGreen({ release: 2, processes: { web: null }, formation: { web: 1 } }, [drained]), [
    { kind: 'route-ready', containerId: 'a', serverName: 'web-a' },
  ]);
});
