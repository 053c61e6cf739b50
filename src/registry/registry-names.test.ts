import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appRepository,
  assertTag,
  parseImageReference,
  parseRegistryServer,
  registryServerFromUrl,
} from './registry-names.js';

test('registry servers are HOST:PORT with an IPv4 address or DNS name', () => {
  assert.deepEqual(parseRegistryServer('10.0.0.5:5000'), { host: '10.0.0.5', port: 5000 });
  assert.deepEqual(parseRegistryServer('Registry.Example.com:443'), { host: 'registry.example.com', port: 443 });
  for (const bad of ['10.0.0.5', '../x:5000', 'a/b:5000', 'x y:1', 'host:0', 'host:70000', '300.1.1.1:5000', ':5000']) {
    assert.throws(() => parseRegistryServer(bad), { code: 'INVALID_INPUT' }, bad);
  }
});

test('a user registry URL becomes HOST:PORT; plain HTTP is refused', () => {
  assert.equal(registryServerFromUrl('https://reg.example.com'), 'reg.example.com:443');
  assert.equal(registryServerFromUrl('https://reg.example.com:5000/'), 'reg.example.com:5000');
  assert.equal(registryServerFromUrl('10.1.2.3:5000'), '10.1.2.3:5000');
  assert.throws(() => registryServerFromUrl('http://reg.example.com:5000'), { code: 'INVALID_INPUT' });
});

test('app repositories and tags are validated', () => {
  assert.equal(appRepository('10.0.0.5:5000', 'web-1'), '10.0.0.5:5000/slipway/web-1');
  assert.throws(() => appRepository('10.0.0.5:5000', 'Web/..'), { code: 'INVALID_NAME' });
  assert.equal(assertTag('v12'), 'v12');
  assert.throws(() => assertTag('-x'), { code: 'INVALID_INPUT' });
  assert.throws(() => assertTag('a b'), { code: 'INVALID_INPUT' });
});

test('image references split into server, repository, tag and digest', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(parseImageReference(`10.0.0.5:5000/slipway/web@${digest}`), {
    server: '10.0.0.5:5000',
    repository: '10.0.0.5:5000/slipway/web',
    tag: undefined,
    digest,
  });
  assert.deepEqual(parseImageReference('10.0.0.5:5000/slipway/web:v3'), {
    server: '10.0.0.5:5000',
    repository: '10.0.0.5:5000/slipway/web',
    tag: 'v3',
    digest: undefined,
  });
  assert.deepEqual(parseImageReference('library/node:20'), {
    server: undefined,
    repository: 'library/node',
    tag: '20',
    digest: undefined,
  });
  assert.equal(parseImageReference('localhost/x').server, 'localhost');
});
