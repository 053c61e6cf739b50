import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ensureRegistryTls,
  leafExtensions,
  parseCertificateSans,
  registryTlsFiles,
  subjectAltNames,
} from './registry-tls.js';

test('SAN lists: IPs and DNS names, validated, deduplicated, sorted', () => {
  assert.deepEqual(subjectAltNames(['10.0.0.5', 'm1.example', '10.0.0.5', 'M1.example']), [
    'DNS:m1.example',
    'IP:10.0.0.5',
  ]);
  assert.throws(() => subjectAltNames([]), { code: 'INVALID_INPUT' });
  assert.throws(() => subjectAltNames(['a,DNS:evil']), { code: 'INVALID_INPUT' });
  assert.throws(() => subjectAltNames(['x\nbasicConstraints=CA:TRUE']), { code: 'INVALID_INPUT' });
  assert.deepEqual(parseCertificateSans('IP Address:10.0.0.5, DNS:m1'), ['DNS:m1', 'IP:10.0.0.5']);
  assert.match(leafExtensions(['IP:10.0.0.5']), /^subjectAltName=IP:10\.0\.0\.5$/m);
});

test('the CA is made once; the leaf is signed by it and made again when the SANs change', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-tls-'));
  try {
    const first = await ensureRegistryTls(dir, ['10.0.0.5']);
    assert.deepEqual([first.ca, first.leaf], ['created', 'created']);
    const files = registryTlsFiles(dir);
    assert.equal((await stat(files.caKeyFile)).mode & 0o777, 0o600);
    assert.equal((await stat(files.keyFile)).mode & 0o777, 0o600);
    const ca = new X509Certificate(first.caPem);
    const leaf = new X509Certificate(await readFile(files.certFile));
    assert.ok(ca.ca && !leaf.ca);
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
    assert.ok(leaf.checkIP('10.0.0.5'));

    const again = await ensureRegistryTls(dir, ['10.0.0.5']);
    assert.deepEqual([again.ca, again.leaf], ['kept', 'kept']);

    const moved = await ensureRegistryTls(dir, ['10.0.0.6', 'm1']);
    assert.deepEqual([moved.ca, moved.leaf], ['kept', 'created']);
    const leaf2 = new X509Certificate(await readFile(files.certFile));
    assert.ok(leaf2.checkIP('10.0.0.6') && leaf2.checkHost('m1') && !leaf2.checkIP('10.0.0.5'));

    const later = await ensureRegistryTls(dir, ['10.0.0.6', 'm1'], { now: new Date(Date.now() + 380 * 86_400_000) });
    assert.deepEqual([later.ca, later.leaf], ['kept', 'created'], 'renewed before expiry');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
