import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateAppName, validateConfigKey } from './names.js';
import { SlipwayError } from './errors.js';

for (const good of ['a', 'my-app', 'app2', 'a'.repeat(63)]) {
  test(`accepts app name ${good.slice(0, 20)}`, () => assert.equal(validateAppName(good), good));
}
for (const bad of ['', 'My-App', '2app', 'app-', 'a--b', 'a_b', 'a.b', 'a'.repeat(64), 'ünïcode', 7]) {
  test(`rejects app name ${JSON.stringify(bad)}`, () => {
    assert.throws(
      () => validateAppName(bad),
      (err: unknown) => err instanceof SlipwayError && err.code === 'INVALID_NAME' && !!err.hint,
    );
  });
}
test('config keys follow environment variable rules', () => {
  assert.equal(validateConfigKey('DATABASE_URL'), 'DATABASE_URL');
  assert.throws(() => validateConfigKey('1X'), SlipwayError);
  assert.throws(() => validateConfigKey('A-B'), SlipwayError);
});
