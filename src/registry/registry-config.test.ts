import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderRegistryConfig } from './registry-config.js';

test('the distribution config: filesystem storage, deletes on, TLS, htpasswd', () => {
  const text = renderRegistryConfig({
    rootDirectory: '/var/lib/slipway/registry/data',
    bind: '10.0.0.5',
    port: 5000,
    certFile: '/h/tls/registry.crt',
    keyFile: '/h/tls/registry.key',
    htpasswdFile: '/h/auth/htpasswd',
  });
  const config = parse(text) as Record<string, Record<string, unknown>>;
  assert.equal(config['version'], 0.1);
  assert.deepEqual(config['storage']!['filesystem'], { rootdirectory: '/var/lib/slipway/registry/data' });
  assert.deepEqual(config['storage']!['delete'], { enabled: true });
  assert.equal(config['http']!['addr'], '10.0.0.5:5000');
  assert.deepEqual(config['http']!['tls'], { certificate: '/h/tls/registry.crt', key: '/h/tls/registry.key' });
  assert.deepEqual(config['auth'], { htpasswd: { realm: 'slipway-registry', path: '/h/auth/htpasswd' } });
});
