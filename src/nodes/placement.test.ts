import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError } from '../core/errors.js';
import { nodeSatisfies, parsePlacement } from './placement.js';

test('placement values become Swarm constraints', () => {
  const cases: [string, string[]][] = [
    ['region==eu', ['node.labels.region==eu']],
    ['region == eu', ['node.labels.region==eu']],
    ['region==eu,disk!=hdd', ['node.labels.region==eu', 'node.labels.disk!=hdd']],
    ['node.labels.disk==ssd', ['node.labels.disk==ssd']],
    ['node.hostname!=w1', ['node.hostname!=w1']],
    ['node.role==worker', ['node.role==worker']],
    ['node.platform.arch==x86_64', ['node.platform.arch==x86_64']],
    ['engine.labels.gpu==yes', ['engine.labels.gpu==yes']],
    ['region==eu,region==eu', ['node.labels.region==eu']],
    ['', []],
  ];
  for (const [value, expected] of cases) assert.deepEqual(parsePlacement(value), expected, value);
});

test('bad placement values are refused with a hint', () => {
  const bad = [
    'region=eu',
    'region',
    'region==',
    '==eu',
    'region<>eu',
    'region==e u',
    'region==eu,',
    'node.bogus==x',
    'node.role==boss',
    'bad key==x',
    'a==b==c',
    'a!=b!=c',
    `${'region==eu,'.repeat(21)}x==y`,
  ];
  for (const value of bad) {
    assert.throws(
      () => parsePlacement(value),
      (err: unknown) => err instanceof SlipwayError && err.code === 'INVALID_INPUT' && !!err.hint,
      value,
    );
  }
});

test('apps:settings:set placement.TYPE / placement: stored per type, read with a fallback, emptied away', async () => {
  const { applySettingChanges, settingsProblems } = await import('../config/app-settings.js');
  const { DEFAULT_SETTINGS } = await import('../core/types.js');
  const { placementFor } = await import('./placement.js');
  let next = applySettingChanges(DEFAULT_SETTINGS, { 'placement.web': 'region==eu', placement: 'node.role==worker' });
  assert.deepEqual(next.placement, { web: ['node.labels.region==eu'], '*': ['node.role==worker'] });
  assert.deepEqual(placementFor(next, 'web'), ['node.labels.region==eu']);
  assert.deepEqual(placementFor(next, 'worker'), ['node.role==worker']);
  assert.deepEqual(settingsProblems(next), []);
  next = applySettingChanges(next, { 'placement.web': '', placement: '' });
  assert.equal(next.placement, undefined);
  assert.deepEqual(placementFor(next, 'web'), []);
  assert.throws(() => applySettingChanges(DEFAULT_SETTINGS, { 'placement.Web!': 'a==b' }), /not a process type/);
  assert.throws(() => applySettingChanges(DEFAULT_SETTINGS, { 'placement.web': 'region=eu' }), /placement:/);
  assert.ok(settingsProblems({ ...DEFAULT_SETTINGS, placement: { web: ['rm -rf /'] } }).length > 0);
});

test('nodeSatisfies: node fields and labels as Swarm compares them; unknown fields are for Swarm to tell', () => {
  const node = { id: 'abc', name: 'w1', role: 'worker', labels: { region: 'EU', disk: 'ssd' } };
  assert.equal(nodeSatisfies(node, []), true);
  assert.equal(nodeSatisfies(node, ['node.labels.region==eu', 'node.role!=manager']), true);
  assert.equal(nodeSatisfies(node, ['node.labels.region==us']), false);
  assert.equal(nodeSatisfies(node, ['node.labels.zone==a']), false);
  assert.equal(nodeSatisfies(node, ['node.labels.zone!=a']), true);
  assert.equal(nodeSatisfies(node, ['node.hostname==w1', 'node.id!=abc']), false);
  assert.equal(nodeSatisfies(node, ['engine.labels.gpu==yes']), undefined);
  assert.equal(nodeSatisfies(node, ['engine.labels.gpu==yes', 'node.role==manager']), false);
});
