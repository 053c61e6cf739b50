import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeFingerprint, readRemotes, selectedRemote, writeRemotes } from './remotes.js';

const HEX = 'ab'.repeat(32);
const COLONS = HEX.toUpperCase().match(/../g)!.join(':');

test('a SHA-256 fingerprint is accepted in any common spelling and refused otherwise', () => {
  for (const given of [COLONS, HEX, `SHA256:${COLONS}`, `sha256=${HEX}`, `  ${COLONS.toLowerCase()} `])
    assert.equal(normalizeFingerprint(given), COLONS, given);
  for (const bad of ['', 'AB:CD', HEX.slice(2), `${HEX}00`, HEX.replace('a', 'g')])
    assert.equal(normalizeFingerprint(bad), undefined, bad);
});

test('remotes are chosen by --remote, then SLIPWAY_REMOTE, then the current one; local means none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-remotes-'));
  try {
    const env = { SLIPWAY_CONFIG_DIR: dir };
    assert.equal(selectedRemote(undefined, env), undefined, 'no file: local');
    const remote = { url: 'https://slipway.example.com', token: 'slp_x', user: 'alice' };
    writeRemotes({ current: 'prod', remotes: { prod: remote, staging: { ...remote, user: 'bob' } } }, env);
    assert.equal(statSync(join(dir, 'remotes.json')).mode & 0o777, 0o600);
    assert.equal(selectedRemote(undefined, env)?.name, 'prod');
    assert.equal(selectedRemote(undefined, { ...env, SLIPWAY_REMOTE: 'staging' })?.remote.user, 'bob');
    assert.equal(selectedRemote('local', { ...env, SLIPWAY_REMOTE: 'staging' }), undefined);
    assert.throws(() => selectedRemote('nope', env), /no remote "nope"[\s\S]*/);
    writeFileSync(join(dir, 'remotes.json'), '{"remotes": {"x": {"url": 3}}}');
    assert.throws(() => readRemotes(env), /not a Slipway remotes file/);
    writeFileSync(join(dir, 'remotes.json'), 'not json');
    assert.throws(() => readRemotes(env), /is not JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
