import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRegistryAuth, registryAuthHeadersFor } from './registry-auth.js';
import { pullImageRequest, pushImageRequest } from './registry-requests.js';

const access = { server: '10.0.0.5:5000', username: 'slipway-1', password: 'p?w>d~~' };

test('X-Registry-Auth is base64url (padded) JSON of username, password, serveraddress', () => {
  const value = encodeRegistryAuth(access);
  assert.doesNotMatch(value, /[+/]/);
  const decoded = JSON.parse(Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
  assert.deepEqual(decoded, { username: 'slipway-1', password: 'p?w>d~~', serveraddress: '10.0.0.5:5000' });
  assert.equal(value.length % 4, 0);
});

test('the header is given only for images in a known registry', () => {
  const digest = `sha256:${'b'.repeat(64)}`;
  assert.deepEqual(registryAuthHeadersFor(`10.0.0.5:5000/slipway/web@${digest}`, [access]), {
    'X-Registry-Auth': encodeRegistryAuth(access),
  });
  assert.equal(registryAuthHeadersFor(`10.0.0.6:5000/slipway/web@${digest}`, [access]), undefined);
  assert.equal(registryAuthHeadersFor('slipway/web:v1', [access]), undefined);
});

test('push and pull requests, as data', () => {
  assert.deepEqual(pushImageRequest('10.0.0.5:5000/slipway/web', 'v1', access), {
    method: 'POST',
    path: '/images/10.0.0.5:5000/slipway/web/push',
    query: { tag: 'v1' },
    headers: { 'X-Registry-Auth': encodeRegistryAuth(access) },
  });
  const digest = `sha256:${'c'.repeat(64)}`;
  assert.deepEqual(pullImageRequest(`10.0.0.5:5000/slipway/web@${digest}`), {
    method: 'POST',
    path: '/images/create',
    query: { fromImage: '10.0.0.5:5000/slipway/web', tag: digest },
  });
});

test('a user-named registry: https URL, credentials required, its CA becomes node trust', async () => {
  const { userRegistryAccess } = await import('./registry-setup.js');
  const { access, trust } = userRegistryAccess({ url: 'https://reg.example.com:5000', username: 'u', password: 'p' });
  assert.deepEqual(access, { server: 'reg.example.com:5000', username: 'u', password: 'p' });
  assert.equal(trust, undefined);
  assert.throws(() => userRegistryAccess({ url: 'https://reg.example.com', username: '', password: '' }), {
    code: 'INVALID_INPUT',
  });
});
