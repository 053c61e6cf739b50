import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readEnvironment } from './environment.js';

test('the remote API host defaults to slipway.<domain>, can be set or turned off, and needs HTTPS', () => {
  assert.equal(readEnvironment({ SLIPWAY_DOMAIN: 'apps.example.com' }).apiHost, 'slipway.apps.example.com');
  assert.equal(readEnvironment({ SLIPWAY_API_HOST: 'Deploy.Example.com' }).apiHost, 'deploy.example.com');
  assert.equal(readEnvironment({ SLIPWAY_API_HOST: 'off' }).apiHost, undefined);
  assert.equal(readEnvironment({ SLIPWAY_HTTPS_PORT: '0' }).apiHost, undefined);
  for (const bad of ['has space.example.com', 'nodots', '-x.example.com', 'a..b.com', `${'a'.repeat(64)}.com`])
    assert.throws(() => readEnvironment({ SLIPWAY_API_HOST: bad }), /SLIPWAY_API_HOST must be a host name or off/, bad);
});

test('the app name the API host would take, when it is one label under the domain', async () => {
  const { apiHostAppName } = await import('../domains/app-hosts.js');
  assert.equal(apiHostAppName('slipway.apps.test', 'apps.test'), 'slipway');
  assert.equal(apiHostAppName('deploy.slipway.apps.test', 'apps.test'), undefined);
  assert.equal(apiHostAppName('slipway.example.com', 'apps.test'), undefined);
  assert.equal(apiHostAppName(undefined, 'apps.test'), undefined);
});
