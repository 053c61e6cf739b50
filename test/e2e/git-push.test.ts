import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, freePort, get, uniqueApp, waitFor } from './harness.js';
import { busyboxWeb } from '../support/busybox-web.js';

interface Git {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * git push through the real server: a stock git client pushes over HTTP (a token as the password) and the app
 * answers with the pushed commit's page; a failing build rejects the push and changes nothing; other branches
 * are refused with the setting's hint; a second push meanwhile is told who holds the lock; a pusher killed
 * mid-build leaves no lock and builds:attach follows the build to its end.
 */
describe('git push', () => {
  let h: Harness;
  let dir = '';
  let work = '';
  let image = '';
  let token = '';
  const app = uniqueApp('gitpush');
  const fresh = uniqueApp('gitshallow');
  let sshPort = 0;

  const gitEnv = () => ({
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: dir,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.com',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.com',
  });
  const git = (...args: string[]): Git => {
    const r = spawnSync('git', ['-C', work, ...args], { env: gitEnv(), encoding: 'utf8', timeout: 180_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const remote = () => `http://git:${token}@127.0.0.1:${h.apiPort}/git/${app}.git`;
  /** Commits a Dockerfile (with `run`, a build step) and a page saying `page`; returns the commit. */
  const commit = (page: string, run?: string[]): string => {
    const steps = run ? `RUN ${JSON.stringify(run)}\n` : '';
    writeFileSync(join(work, 'Dockerfile'), `FROM ${image}\n${steps}COPY index.html /www/index.html\n`);
    writeFileSync(join(work, 'index.html'), `${page}\n`);
    execFileSync('git', ['-C', work, 'add', '-A'], { env: gitEnv() });
    execFileSync('git', ['-C', work, 'commit', '-q', '-m', page], { env: gitEnv() });
    return git('rev-parse', 'HEAD').stdout.trim();
  };
  const page = async () => (await get(h.httpPort, h.host(app))).body.trim();
  const remoteHead = () => git('ls-remote', remote(), 'refs/heads/main').stdout.split('\t')[0] ?? '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-git-'));
    work = join(dir, 'work');
    image = busyboxWeb(dir, `slipway-test/git-web:${process.pid}`, 'base');
    execFileSync('git', ['init', '-q', '-b', 'main', work], { env: gitEnv() });
    h = await Harness.create();
    sshPort = await freePort();
    await h.startServer({ SLIPWAY_SSH_PORT: String(sshPort) });
    token = readFileSync(join(h.home, 'token'), 'utf8').trim();
    await h.ok('apps:create', app);
  });

  after(async () => {
    h?.removeAppContainers(app, fresh);
    await h?.destroy();
    spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a push over HTTP builds and deploys the pushed commit, streaming remote: lines', async () => {
    const sha = commit('one');
    const noAuth = spawnSync('git', ['-C', work, 'ls-remote', `http://127.0.0.1:${h.apiPort}/git/${app}.git`], {
      env: gitEnv(),
      encoding: 'utf8',
    });
    assert.notEqual(noAuth.status, 0);
    const pushed = git('push', remote(), 'main');
    assert.equal(pushed.code, 0, pushed.stderr + h.serverLog.slice(-2000));
    assert.match(pushed.stderr, /remote: Slipway: push to .* received/);
    assert.match(pushed.stderr, /remote: .*is live \(commit/);
    assert.equal(await page(), 'one');
    assert.equal(remoteHead(), sha);
    const builds = JSON.parse((await h.ok('builds', '-a', app, '--json')).stdout) as Array<{
      source: { commit?: string; branch?: string };
      startedBy: string;
    }>;
    assert.equal(builds[0]?.source.commit, sha);
    assert.equal(builds[0]?.source.branch, 'main');
    assert.equal(builds[0]?.startedBy, 'admin');
    // git:remote adds the remote in the current directory's repository and prints its URL.
    const cwd = process.cwd();
    process.chdir(work);
    try {
      const added = await h.ok('git:remote', '-a', app);
      assert.match(
        added.stdout,
        new RegExp(`added git remote slipway: http://127\\.0\\.0\\.1:${h.apiPort}/git/${app}\\.git`),
      );
      const ssh = await h.ok('git:remote', '-a', app, '--ssh', '--name', 'over-ssh');
      assert.match(ssh.stdout, new RegExp(`ssh://git@127\\.0\\.0\\.1:${sshPort}/${app}\\.git`));
    } finally {
      process.chdir(cwd);
    }
    assert.equal(git('remote', 'get-url', 'slipway').stdout.trim(), `http://127.0.0.1:${h.apiPort}/git/${app}.git`);
  });

  test('a push over SSH with a key added by keys:add deploys too; other commands are refused', async () => {
    const key = join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'laptop', '-f', key]);
    const added = await h.ok('keys:add', `${key}.pub`);
    assert.match(added.stdout, /added key laptop \(SHA256:/);
    assert.match((await h.ok('keys')).stdout, /laptop/);
    const ssh =
      `ssh -i ${key} -o IdentitiesOnly=yes -o StrictHostKeyChecking=no ` +
      `-o UserKnownHostsFile=/dev/null -p ${sshPort}`;
    const sshEnv = { ...gitEnv(), GIT_SSH_COMMAND: ssh };
    const sha = commit('over-ssh');
    const url = `ssh://git@127.0.0.1:${sshPort}/${app}.git`;
    const pushed = spawnSync('git', ['-C', work, 'push', url, 'main'], { env: sshEnv, encoding: 'utf8' });
    assert.equal(pushed.status, 0, pushed.stderr + h.serverLog.slice(-2000));
    assert.match(pushed.stderr, /remote: .*is live \(commit/);
    assert.equal(await page(), 'over-ssh');
    assert.equal(remoteHead(), sha);
    const shell = spawnSync('ssh', [...ssh.split(' ').slice(1), 'git@127.0.0.1', 'ls /'], { encoding: 'utf8' });
    assert.notEqual(shell.status, 0);
    assert.match(shell.stderr, /runs only git push and fetch/);
    // A removed key no longer gets in.
    await h.ok('keys:remove', 'laptop');
    const refused = spawnSync('git', ['-C', work, 'ls-remote', url], { env: sshEnv, encoding: 'utf8' });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /Permission denied/);
  });

  test('a failing build rejects the push and nothing changes', async () => {
    const before = remoteHead();
    const served = await page();
    commit('broken', ['/bin/busybox', 'false']);
    const pushed = git('push', remote(), 'main');
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.stderr, /remote: Slipway: the push was rejected; nothing changed/);
    assert.match(pushed.stderr, /pre-receive hook declined/);
    assert.equal(remoteHead(), before);
    assert.equal(await page(), served);
  });

  test('another branch and a delete of the deploy branch are refused with a hint', () => {
    const other = git('push', remote(), 'HEAD:refs/heads/dev');
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /deploys only from branch main; the push names branch dev/);
    assert.match(other.stderr, /git\.branch=BRANCH/);
    const del = git('push', remote(), ':main');
    assert.notEqual(del.code, 0);
    assert.match(del.stderr, /deleting branch main .* is refused/);
  });

  test('a second push meanwhile is told who holds the lock; a pusher killed mid-build leaves none', async () => {
    git('reset', '-q', '--hard', 'HEAD~1');
    const slow = commit('two', ['/bin/busybox', 'sleep', '6']);
    const first = spawn('git', ['-C', work, 'push', remote(), 'main'], { env: gitEnv(), detached: true });
    let firstErr = '';
    first.stderr.on('data', (d: Buffer) => (firstErr += d.toString()));
    await waitFor(
      'the first push to start building',
      async () => /builds:attach -a \S+ (\S+)\)/.test(firstErr),
      60_000,
    );
    const buildId = /builds:attach -a \S+ (\S+)\)/.exec(firstErr)![1]!;
    // A second clone pushes something else meanwhile, made on top of the first commit (not of the slow one).
    const otherWork = join(dir, 'other');
    execFileSync('git', ['clone', '-q', work, otherWork], { env: gitEnv() });
    execFileSync('git', ['-C', otherWork, 'reset', '-q', '--hard', 'HEAD~1'], { env: gitEnv() });
    writeFileSync(join(otherWork, 'index.html'), 'three\n');
    execFileSync('git', ['-C', otherWork, 'add', '-A'], { env: gitEnv() });
    execFileSync('git', ['-C', otherWork, 'commit', '-q', '-m', 'three'], { env: gitEnv() });
    const second = spawnSync('git', ['-C', otherWork, 'push', '-f', remote(), 'HEAD:main'], {
      env: gitEnv(),
      encoding: 'utf8',
    });
    assert.notEqual(second.status, 0);
    assert.match(second.stderr, /is being deployed by a push of admin \(commit [0-9a-f]{7}/);
    // Ctrl-C of the first pusher: the build goes on, builds:attach follows it to its end.
    process.kill(-first.pid!, 'SIGKILL');
    const attached = await h.ok('builds:attach', '-a', app, buildId);
    assert.match(attached.stdout, /is live/);
    await waitFor('the app to serve the slow push', async () => (await page()) === 'two', 30_000);
    await waitFor('the ref to follow the deployed push', async () => remoteHead() === slow, 30_000);
    // No lock left: the other push now deploys (a force push: it is not a descendant).
    const again = spawnSync('git', ['-C', otherWork, 'push', '-f', remote(), 'HEAD:main'], {
      env: gitEnv(),
      encoding: 'utf8',
    });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /force push/);
    assert.equal(await page(), 'three');
  });

  test('a shallow clone pushes to an empty repository and deploys; pushes are in the audit log', async () => {
    await h.ok('apps:create', fresh);
    const shallow = join(dir, 'shallow');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${work}`, shallow], { env: gitEnv() });
    const url = `http://git:${token}@127.0.0.1:${h.apiPort}/git/${fresh}.git`;
    const pushed = spawnSync('git', ['-C', shallow, 'push', url, 'HEAD:main'], { env: gitEnv(), encoding: 'utf8' });
    assert.equal(pushed.status, 0, pushed.stderr);
    assert.equal((await get(h.httpPort, h.host(fresh))).body.trim(), 'two');
    const audit = (await h.ok('audit', '--json')).stdout;
    assert.match(audit, new RegExp(`/git/${fresh}\\.git/git-receive-pack`));
    assert.match(audit, /"method": "SSH"/);
    assert.doesNotMatch(audit, new RegExp(token));
  });
});
