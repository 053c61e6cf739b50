import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { checkRegistryServer } from './image-puller.js';
import { openStore } from '../store/store.js';

test('registry hosts are HOST or HOST:PORT as image names spell them; anything else is refused', () => {
  assert.equal(checkRegistryServer('Registry.Example.com'), 'registry.example.com');
  assert.equal(checkRegistryServer('10.0.0.5:5000'), '10.0.0.5:5000');
  for (const bad of ['', '-x', 'a b', 'https://r.example.com', 'r.example.com/path', 'r:0', 'r:99999', 'r;rm -rf /'])
    assert.throws(() => checkRegistryServer(bad), /not a registry host/, bad);
});

test('a login is kept with its password sealed; listing never shows the password', () => {
  const store = openStore(':memory:', randomBytes(32));
  try {
    store.registryLogins.put({ server: 'R.example.com', username: 'ci', password: 's3cret-token' }, '2026-01-01');
    assert.deepEqual(store.registryLogins.list(), [
      { server: 'r.example.com', username: 'ci', createdAt: '2026-01-01' },
    ]);
    assert.equal(store.registryLogins.access('r.example.COM')?.password, 's3cret-token');
    const raw = store.db.prepare('SELECT password_sealed FROM registry_logins').get() as { password_sealed: string };
    assert.ok(!raw.password_sealed.includes('s3cret'));
    assert.equal(store.registryLogins.remove('r.example.com'), true);
    assert.equal(store.registryLogins.access('r.example.com'), undefined);
  } finally {
    store.close();
  }
});
