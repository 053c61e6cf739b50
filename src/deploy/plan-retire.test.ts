import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRetire } from './plan-retire.js';
import type { ObservedContainer } from './plan-types.js';

const c = (id: string, extra: Partial<ObservedContainer> = {}): ObservedContainer => ({
  id,
  process: 'web',
  release: 1,
  index: 1,
  state: 'running',
  serverName: `web-${id}`,
  ...extra,
});

test('serving containers leave rotation together, are waited for together, then go one by one', () => {
  const steps = planRetire([c('a'), c('b'), c('dead', { state: 'exited' }), c('run', { serverName: undefined })], {
    parked: false,
  });
  assert.deepEqual(
    steps.map((s) => `${s.kind} ${'containerId' in s ? s.containerId : ''}`),
    [
      'drain a',
      'drain b',
      'wait-drained a',
      'wait-drained b',
      'route-remove a',
      'stop a',
      'remove a',
      'route-remove b',
      'stop b',
      'remove b',
      'route-remove dead',
      'remove dead',
      'stop run',
      'remove run',
    ],
  );
});

test('a parked (warm) set is out of rotation already: unrouted, stopped, removed', () => {
  assert.deepEqual(planRetire([c('a')], { parked: true }), [
    { kind: 'route-remove', containerId: 'a', serverName: 'web-a' },
    { kind: 'stop', containerId: 'a' },
    { kind: 'remove', containerId: 'a' },
  ]);
  assert.deepEqual(planRetire([], { parked: false }), []);
});
