import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, nearest, related } from './suggest.js';

test('edit distance counts a swap of neighbours as one edit', () => {
  assert.equal(editDistance('delpoy', 'deploy'), 1);
  assert.equal(editDistance('deploy', 'deploy'), 0);
  assert.equal(editDistance('lgos', 'logs'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('the nearest command or option, only when it is plausibly what was meant', () => {
  const commands = ['deploy', 'logs', 'releases', 'rollback', 'apps:create', 'config:set'];
  assert.equal(nearest('delpoy', commands), 'deploy');
  assert.equal(nearest('relases', commands), 'releases');
  assert.equal(nearest('config:sett', commands), 'config:set');
  assert.equal(nearest('nonsense', commands), undefined);
  assert.equal(nearest('x', commands), undefined);
  assert.equal(nearest('fllow', ['follow', 'file']), 'follow');
  assert.deepEqual(related('apps:nope', ['apps', 'apps:create', 'apps:info', 'deploy']), [
    'apps',
    'apps:create',
    'apps:info',
  ]);
});
