import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSlipwayError } from '../core/errors.js';
import { archiveCommit, checkCloneUrl, fetchCommit } from './git-fetch.js';
import { cleanGit, initRepos, publish, serveGitRepo, type GitHttpServer } from '../../test/support/git-http-server.js';

// Real git against a repository served on loopback (dumb HTTP with Basic auth).
let dir = '';
let server: GitHttpServer;
let first = '';
let second = '';
let stray = '';
const creds = { username: 'ci', password: 'p@ss:word with spaces' };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-git-fetch-'));
  mkdirSync(join(dir, 'work'));
  initRepos(join(dir, 'work'), join(dir, 'r.git'));
  writeFileSync(join(dir, 'work', 'a.txt'), 'one\n');
  cleanGit(join(dir, 'work'), 'add', '-A');
  cleanGit(join(dir, 'work'), 'commit', '-q', '-m', 'one');
  first = publish(join(dir, 'work'), join(dir, 'r.git'), 'main');
  writeFileSync(join(dir, 'work', 'a.txt'), 'two\n');
  cleanGit(join(dir, 'work'), 'commit', '-q', '-am', 'two');
  second = publish(join(dir, 'work'), join(dir, 'r.git'), 'main');
  cleanGit(join(dir, 'work'), 'checkout', '-q', '-b', 'side', first);
  writeFileSync(join(dir, 'work', 'b.txt'), 'side\n');
  cleanGit(join(dir, 'work'), 'add', '-A');
  cleanGit(join(dir, 'work'), 'commit', '-q', '-m', 'side');
  stray = publish(join(dir, 'work'), join(dir, 'r.git'), 'side');
  server = await serveGitRepo(join(dir, 'r.git'), creds);
});

after(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('fetches the pushed commit with the credentials (never in the URL) and archives its tree', async () => {
  const repo = join(dir, 'cache', 'shop.git');
  await fetchCommit({ repo, url: server.url, branch: 'main', commit: second, credentials: creds });
  // An older commit of the branch is fetched too (the branch moved on after the push).
  await fetchCommit({ repo, url: server.url, branch: 'main', commit: first, credentials: creds });
  const tar = join(dir, 'src.tar');
  await archiveCommit(repo, second, tar);
  assert.equal(execFileSync('tar', ['-xOf', tar, 'a.txt'], { encoding: 'utf8' }), 'two\n');
  assert.ok(server.requests.every((r) => !r.includes(creds.username)));
});

test('refuses: no credentials, a commit that is not on the branch, a branch that does not exist', async () => {
  const repo = join(dir, 'cache2', 'shop.git');
  const fails = async (req: Parameters<typeof fetchCommit>[0], message: RegExp) =>
    assert.rejects(fetchCommit(req), (e: unknown) => isSlipwayError(e) && message.test(e.message));
  await fails({ repo, url: server.url, branch: 'main', commit: second }, /^git fetch of main from .* failed/);
  await fails(
    { repo, url: server.url, branch: 'main', commit: stray, credentials: creds },
    /is not on main at http:\/\/127\.0\.0\.1/,
  );
  await fails(
    { repo, url: server.url, branch: 'nope', commit: second, credentials: creds },
    /git fetch of nope .* failed/,
  );
  await fails({ repo, url: server.url, branch: '--upload-pack=x', commit: second }, /not one Slipway fetches/);
  await fails({ repo, url: server.url, branch: 'main', commit: 'HEAD' }, /40-hex/);
});

test('clone URLs: http, https and git only, never with credentials in them', () => {
  assert.equal(checkCloneUrl('https://github.com/o/r.git'), 'https://github.com/o/r.git');
  assert.equal(checkCloneUrl('git://host/r.git'), 'git://host/r.git');
  for (const bad of [
    'file:///etc',
    'ext::sh -c touch% /tmp/pwned',
    'ssh://git@host/r.git',
    '-uhttps://x',
    '/srv/repo.git',
    'https://user:token@github.com/o/r.git',
    'https://token@github.com/o/r.git',
  ])
    assert.throws(() => checkCloneUrl(bad), isSlipwayError, bad);
});
