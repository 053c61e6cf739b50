import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePublicKey } from './ssh-keys.js';

test('public keys: one OpenSSH line, named by its comment or --name, fingerprinted as ssh-keygen does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-keys-'));
  try {
    const file = join(dir, 'id');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'laptop', '-f', file]);
    const text = readFileSync(`${file}.pub`, 'utf8');
    const expected = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1];
    const key = parsePublicKey(text);
    assert.equal(key.name, 'laptop');
    assert.equal(key.fingerprint, expected);
    assert.equal(key.publicKey, text.trim().split(' ').slice(0, 2).join(' '));
    assert.equal(parsePublicKey(text, 'ci').name, 'ci');
    assert.throws(() => parsePublicKey(readFileSync(file, 'utf8')), /not an OpenSSH public key/);
    assert.throws(() => parsePublicKey(`${text}${text}`), /one key per file/);
    assert.throws(() => parsePublicKey('ssh-ed25519 AAAAnotakey x'), /does not parse/);
    assert.throws(() => parsePublicKey(text.replace('laptop', 'my laptop')), /key name/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
