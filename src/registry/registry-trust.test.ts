import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureRegistryTls } from './registry-tls.js';
import { registryTrust, registryTrustPath, removeRegistryTrust, writeRegistryTrust } from './registry-trust.js';

test('the certs.d path is built from a validated HOST:PORT only', () => {
  assert.equal(registryTrustPath('10.0.0.5:5000'), '/etc/docker/certs.d/10.0.0.5:5000/ca.crt');
  for (const bad of ['../../etc:1', 'a/b:5000', '10.0.0.5', '..:5000', 'x\n:1']) {
    assert.throws(() => registryTrustPath(bad), { code: 'INVALID_INPUT' }, bad);
  }
});

test('trust is written, given to nodes as path + PEM, and removed', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-trust-'));
  try {
    const tls = await ensureRegistryTls(path.join(dir, 'tls'), ['10.0.0.5']);
    const certsDir = path.join(dir, 'certs.d');
    const file = await writeRegistryTrust('10.0.0.5:5000', tls.caPem, certsDir);
    assert.equal(file, path.join(certsDir, '10.0.0.5:5000', 'ca.crt'));
    assert.equal(await readFile(file, 'utf8'), tls.caPem);
    assert.deepEqual(registryTrust('10.0.0.5:5000', tls.caPem, certsDir), { path: file, caPem: tls.caPem });
    assert.throws(() => registryTrust('10.0.0.5:5000', 'not a pem'), { code: 'INVALID_INPUT' });
    await removeRegistryTrust('10.0.0.5:5000', certsDir);
    await assert.rejects(stat(path.dirname(file)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
