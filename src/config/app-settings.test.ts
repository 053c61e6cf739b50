import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySettingChanges, parseAssignments } from './app-settings.js';
import { DEFAULT_SETTINGS } from '../core/types.js';
import { SlipwayError } from '../core/errors.js';

test('applies dotted keys with type coercion, leaving the input untouched', () => {
  const next = applySettingChanges(DEFAULT_SETTINGS, { 'healthcheck.path': '/health', 'healthcheck.attempts': '5', 'drain.timeout': '2000', port: '8080' });
  assert.equal(next.healthcheck.path, '/health');
  assert.equal(next.healthcheck.attempts, 5);
  assert.equal(next.drainTimeoutMs, 2000);
  assert.equal(next.port, 8080);
  assert.equal(DEFAULT_SETTINGS.healthcheck.path, undefined);
});

test('an empty healthcheck.path returns to the TCP check', () => {
  const withPath = applySettingChanges(DEFAULT_SETTINGS, { 'healthcheck.path': '/up' });
  assert.equal(applySettingChanges(withPath, { 'healthcheck.path': '' }).healthcheck.path, undefined);
});

const bad: [Record<string, string>, RegExp][] = [
  [{ 'healthcheck.nope': '1' }, /unknown setting "healthcheck.nope"/],
  [{ port: '70000' }, /^port:/],
  [{ port: 'abc' }, /^port:/],
  [{ 'healthcheck.path': 'health' }, /must start with "\/"/],
  [{ 'healthcheck.attempts': '0' }, /^healthcheck.attempts:/],
];
for (const [changes, message] of bad) {
  test(`rejects ${JSON.stringify(changes)}`, () => {
    assert.throws(() => applySettingChanges(DEFAULT_SETTINGS, changes), (err: unknown) => err instanceof SlipwayError && err.code === 'INVALID_INPUT' && message.test(err.message) && !!err.hint);
  });
}

test('parseAssignments splits on the first "=" and never echoes a malformed word', () => {
  assert.deepEqual(parseAssignments(['A=1', 'B=x=y', 'C='], 'config:set'), { A: '1', B: 'x=y', C: '' });
  assert.throws(() => parseAssignments(['hunter2'], 'config:set'), (err: unknown) => err instanceof SlipwayError && !err.message.includes('hunter2'));
});
