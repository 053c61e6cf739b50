import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SecretBox } from '../store/secret-box.js';
import { ensureRegistryUser, htpasswdLine, htpasswdMatches, registryCredentialFiles } from './registry-credentials.js';

test('htpasswd lines are bcrypt ($2y$) and verify', () => {
  const line = htpasswdLine('u', 'secret', 4);
  assert.match(line, /^u:\$2y\$04\$[./A-Za-z0-9]{53}\n$/);
  assert.ok(htpasswdMatches(line, 'u', 'secret'));
  assert.ok(!htpasswdMatches(line, 'u', 'other'));
  assert.ok(!htpasswdMatches(line, 'v', 'secret'));
});

test('the registry user is generated once, sealed at rest, and its htpasswd repaired', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-cred-'));
  try {
    const box = new SecretBox(randomBytes(32));
    const user = await ensureRegistryUser(dir, box);
    assert.match(user.username, /^slipway-[0-9a-f]{8}$/);
    assert.ok(user.password.length >= 32);
    const { sealedFile, htpasswdFile } = registryCredentialFiles(dir);
    const sealed = await readFile(sealedFile, 'utf8');
    assert.ok(!sealed.includes(user.password));
    assert.equal((await stat(sealedFile)).mode & 0o777, 0o600);
    assert.ok(!(await readFile(htpasswdFile, 'utf8')).includes(user.password));
    assert.deepEqual(await ensureRegistryUser(dir, box), user);
    await writeFile(htpasswdFile, 'someone:else\n');
    await ensureRegistryUser(dir, box);
    assert.ok(htpasswdMatches(await readFile(htpasswdFile, 'utf8'), user.username, user.password));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
