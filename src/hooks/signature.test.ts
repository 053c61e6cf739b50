import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { verifySignature } from './signature.js';

const secret = 's3cret-hook';
const body = Buffer.from('{"ref":"refs/heads/main"}');
const hex = createHmac('sha256', secret).update(body).digest('hex');

test('GitHub: sha256=<hex HMAC of the raw body>; anything else is refused', () => {
  assert.equal(verifySignature('github', { 'x-hub-signature-256': `sha256=${hex}` }, body, secret), true);
  assert.equal(verifySignature('github', { 'x-hub-signature-256': `sha256=${hex.toUpperCase()}` }, body, secret), true);
  const refused: Array<Record<string, string | string[]>> = [
    {},
    { 'x-hub-signature-256': '' },
    { 'x-hub-signature-256': hex },
    { 'x-hub-signature-256': `sha1=${hex}` },
    { 'x-hub-signature-256': `sha256=${hex.slice(0, 62)}` },
    { 'x-hub-signature-256': `sha256=${hex}00` },
    { 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` },
    { 'x-hub-signature-256': `sha256=${createHmac('sha256', 'other').update(body).digest('hex')}` },
    { 'x-gitea-signature': hex },
  ];
  for (const headers of refused)
    assert.equal(verifySignature('github', headers, body, secret), false, JSON.stringify(headers));
  // Another body with the same signature.
  assert.equal(verifySignature('github', { 'x-hub-signature-256': `sha256=${hex}` }, Buffer.from('{}'), secret), false);
  // A hook without a secret never verifies.
  assert.equal(verifySignature('github', { 'x-hub-signature-256': `sha256=${hex}` }, body, ''), false);
});

test('Gitea: a bare hex HMAC in X-Gitea-Signature', () => {
  assert.equal(verifySignature('gitea', { 'x-gitea-signature': hex }, body, secret), true);
  for (const value of ['', `sha256=${hex}`, hex.slice(1), `${hex}a`])
    assert.equal(verifySignature('gitea', { 'x-gitea-signature': value }, body, secret), false, value);
  assert.equal(verifySignature('gitea', { 'x-hub-signature-256': `sha256=${hex}` }, body, secret), false);
});

test('GitLab: X-Gitlab-Token is the secret itself (compared in constant time, any length refused safely)', () => {
  assert.equal(verifySignature('gitlab', { 'x-gitlab-token': secret }, body, secret), true);
  assert.equal(verifySignature('gitlab', { 'x-gitlab-token': [secret, 'x'] }, body, secret), true);
  for (const value of ['', 's3cret-hoo', `${secret}x`, secret.toUpperCase(), hex])
    assert.equal(verifySignature('gitlab', { 'x-gitlab-token': value }, body, secret), false, value);
  assert.equal(verifySignature('gitlab', {}, body, secret), false);
});
