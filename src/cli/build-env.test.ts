import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEnvironment } from './build-env.js';

test('a build.yml reads plain variables from the environment but never credentials', () => {
  const env = {
    VERSION: '1.2',
    GIT_SHA: 'abc',
    AWS_SECRET_ACCESS_KEY: 'x',
    GITHUB_TOKEN: 'y',
    DB_PASSWORD: 'z',
    NPM_AUTH: 'w',
    MY_API_KEY: 'k',
    SSH_AUTH_SOCK: '/s',
    UNUSED: 'u',
  };
  const { taken, withheld } = buildEnvironment(
    [
      'VERSION',
      'GIT_SHA',
      'AWS_SECRET_ACCESS_KEY',
      'GITHUB_TOKEN',
      'DB_PASSWORD',
      'NPM_AUTH',
      'MY_API_KEY',
      'SSH_AUTH_SOCK',
      'NOT_SET',
    ],
    env,
  );
  assert.deepEqual(taken, { VERSION: '1.2', GIT_SHA: 'abc' });
  assert.deepEqual(withheld, [
    'AWS_SECRET_ACCESS_KEY',
    'GITHUB_TOKEN',
    'DB_PASSWORD',
    'NPM_AUTH',
    'MY_API_KEY',
    'SSH_AUTH_SOCK',
  ]);
});
