import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGitCommand } from './ssh-command.js';

test('the SSH exec command is exactly git-receive-pack or git-upload-pack of <app>.git', () => {
  assert.deepEqual(parseGitCommand("git-receive-pack 'shop.git'"), { service: 'git-receive-pack', app: 'shop' });
  assert.deepEqual(parseGitCommand("git-upload-pack '/shop.git'"), { service: 'git-upload-pack', app: 'shop' });
  assert.deepEqual(parseGitCommand('git-receive-pack /my-app.git'), { service: 'git-receive-pack', app: 'my-app' });
  for (const bad of [
    'ls /',
    "git-receive-pack 'shop'",
    "git-receive-pack 'shop.git'; rm -rf /",
    "git-receive-pack '../shop.git'",
    "git-receive-pack 'a/shop.git'",
    "git-receive-pack  'shop.git'",
    "git-upload-archive 'shop.git'",
    "git-receive-pack '--help.git'",
    "git-receive-pack 'Shop.git'",
    "git-receive-pack 'shop.git' extra",
    '',
  ])
    assert.throws(() => parseGitCommand(bad), /runs only git push|invalid app name/, JSON.stringify(bad));
});
