import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_IMAGE, Harness, get, send, uniqueApp, waitFor } from './harness.js';
import { cleanGit, initRepos, publish, serveGitRepo, type GitHttpServer } from '../support/git-http-server.js';

interface Delivery {
  id: number;
  provider: string;
  deliveryId: string;
  event: string;
  commit: string | null;
  branch: string | null;
  outcome: string;
  release: number | null;
  fetchMs: number | null;
  deployMs: number | null;
}

/**
 * CI webhooks against the real server: a git repository served from loopback over HTTP with Basic auth (git's
 * dumb protocol: the files of a bare repository), signed deliveries of each provider, the app serving the
 * pushed commit, duplicates (also concurrent ones), a wrong signature, another branch.
 */
describe('CI webhooks: signed pushes are fetched, built and deployed', () => {
  let h: Harness;
  let work = '';
  let gitServer: GitHttpServer | undefined;
  let repoUrl = '';
  const app = uniqueApp('hooks');
  const user = 'ci';
  const password = `pw-${randomBytes(8).toString('hex')}`;
  let githubSecret = '';
  let gitlabSecret = '';
  let giteaSecret = '';
  const commits: Record<string, string> = {};

  const git = (...args: string[]) => cleanGit(join(work, 'src'), ...args);

  /** Commits a one-file node app answering `text` on `branch` and publishes it to the served bare repository. */
  const commitApp = (branch: string, text: string): string => {
    // An existing branch is checked out as it is (-B would reset it to the current commit).
    const exists = git('branch', '--list', branch) !== '';
    git('checkout', '-q', ...(exists ? [branch] : ['-b', branch]));
    writeFileSync(
      join(work, 'src', 'server.js'),
      `require('node:http').createServer((q, s) => s.end(${JSON.stringify(text)}))` +
        '.listen(Number(process.env.PORT || 5000));\n',
    );
    git('add', '-A');
    git('commit', '-q', '-m', text);
    return publish(join(work, 'src'), join(work, 'repo.git'), branch);
  };

  const deliver = (
    provider: string,
    headers: Record<string, string>,
    body: string,
    target = app,
  ): Promise<{ status: number; body: string }> =>
    send(
      {
        host: '127.0.0.1',
        port: h.apiPort,
        method: 'POST',
        path: `/hooks/${provider}/${target}`,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      body,
    );

  const githubPush = (id: string, branch: string, commit: string, secret = githubSecret) => {
    const body = JSON.stringify({
      ref: `refs/heads/${branch}`,
      after: commit,
      repository: { clone_url: repoUrl, full_name: 'o/r' },
      pusher: { name: 'ann' },
    });
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    return deliver(
      'github',
      { 'x-github-event': 'push', 'x-github-delivery': id, 'x-hub-signature-256': `sha256=${signature}` },
      body,
    );
  };

  const deliveries = async (): Promise<Delivery[]> =>
    JSON.parse((await h.ok('hooks:deliveries', '-a', app, '-n', '200', '--json')).stdout) as Delivery[];
  const byId = async (deliveryId: string): Promise<Delivery[]> =>
    (await deliveries()).filter((d) => d.deliveryId === deliveryId);
  const releases = async (): Promise<number> =>
    (JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as unknown[]).length;
  const finished = async (deliveryId: string): Promise<Delivery> => {
    let last: Delivery | undefined;
    await waitFor(
      `delivery ${deliveryId} to finish`,
      async () => {
        last = (await byId(deliveryId)).find((d) => d.outcome !== 'ignored: duplicate');
        return !!last && /^(deployed|failed)/.test(last.outcome);
      },
      180_000,
    );
    return last!;
  };
  const serves = (text: string) =>
    waitFor(`${app} to serve ${text}`, async () => (await get(h.httpPort, h.host(app))).body === text, 60_000);

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'slipway-hooks-'));
    mkdirSync(join(work, 'src'));
    initRepos(join(work, 'src'), join(work, 'repo.git'));
    writeFileSync(
      join(work, 'src', 'Dockerfile'),
      `FROM ${BASE_IMAGE}\nWORKDIR /app\nCOPY server.js ./\nUSER nobody\nCMD ["node", "server.js"]\n`,
    );
    // The files of the bare repository over HTTP, only with the right Basic credentials.
    gitServer = await serveGitRepo(join(work, 'repo.git'), { username: user, password });
    repoUrl = gitServer.url;
    commits['v1'] = commitApp('main', 'hook v1');
    h = await Harness.create();
    await h.startServer();
    await h.ok('apps:create', app);
    const gh = JSON.parse((await h.ok('hooks:add', '-a', app, '--provider', 'github', '--json')).stdout) as {
      url: string;
      secret: string;
      branch: string;
    };
    assert.equal(gh.url, `http://127.0.0.1:${h.apiPort}/hooks/github/${app}`);
    assert.equal(gh.branch, 'main');
    assert.match(gh.secret, /^[0-9a-f]{64}$/);
    githubSecret = gh.secret;
    const gl = await h.ok('hooks:add', '-a', app, '--provider', 'gitlab', '--branch', 'main');
    assert.match(gl.stdout, new RegExp(`URL: +http://127\\.0\\.0\\.1:${h.apiPort}/hooks/gitlab/${app}`));
    gitlabSecret = /secret: +([0-9a-f]{64})/.exec(gl.stdout)![1]!;
    giteaSecret = (
      JSON.parse((await h.ok('hooks:add', '-a', app, '--provider', 'gitea', '--json')).stdout) as { secret: string }
    ).secret;
  });

  after(async () => {
    h?.removeAppContainers(app);
    await h?.destroy();
    await gitServer?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('hooks lists both hooks and never their secrets; a ping is answered pong', async () => {
    const list = await h.ok('hooks', '-a', app);
    assert.match(list.stdout, /github/);
    assert.match(list.stdout, /gitlab/);
    assert.ok(!list.stdout.includes(githubSecret) && !list.stdout.includes(gitlabSecret));
    const body = '{"zen":"hi"}';
    const sig = createHmac('sha256', githubSecret).update(body).digest('hex');
    const pong = await deliver(
      'github',
      { 'x-github-event': 'ping', 'x-github-delivery': 'ping-1', 'x-hub-signature-256': `sha256=${sig}` },
      body,
    );
    assert.deepEqual([pong.status, pong.body.trim()], [200, 'pong']);
  });

  test('without git credentials the git server refuses the fetch: the delivery fails, nothing deploys', async () => {
    const res = await githubPush('gh-nocreds', 'main', commits['v1']!);
    assert.equal(res.status, 202, res.body);
    const d = await finished('gh-nocreds');
    assert.match(d.outcome, /^failed: git fetch of main from http:\/\/127\.0\.0\.1/);
    assert.equal(await releases(), 0);
  });

  test('a signed GitHub push deploys that commit; hooks:deliveries shows it deployed with its timings', async () => {
    const set = h.spawnCli(['git:credentials:set', '-a', app, '--username', user, '--password-stdin'], `${password}\n`);
    assert.equal(set.code, 0, set.stderr);
    assert.match((await h.ok('git:credentials', '-a', app)).stdout, new RegExp(`user ${user}`));
    const res = await githubPush('gh-1', 'main', commits['v1']!);
    assert.equal(res.status, 202, res.body);
    const d = await finished('gh-1');
    assert.equal(d.outcome, 'deployed v1', JSON.stringify(d));
    assert.equal(d.commit, commits['v1']);
    assert.equal(d.branch, 'main');
    assert.ok(d.fetchMs !== null && d.deployMs !== null);
    await serves('hook v1');
    const table = (await h.ok('hooks:deliveries', '-a', app)).stdout;
    assert.match(table, /gh-1 +push +[0-9a-f]{12} +main .* deployed v1 +fetch [\d.]+s, deploy [\d.]+s/);
    // The build grid has the commit, the branch and who started it.
    const builds = JSON.parse((await h.ok('builds', '-a', app, '--json')).stdout) as Array<Record<string, unknown>>;
    const text = JSON.stringify(builds[0]);
    assert.ok(text.includes(commits['v1']!) && text.includes('hook:github (ann)'), text);
  });

  test('the same delivery id again is an ignored duplicate: no second build or release', async () => {
    const res = await githubPush('gh-1', 'main', commits['v1']!);
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, /ignored: duplicate/);
    assert.equal(await releases(), 1);
    assert.deepEqual(
      (await byId('gh-1')).map((d) => d.outcome),
      ['ignored: duplicate', 'deployed v1'],
    );
  });

  test('two identical new deliveries at once: one builds, the other is a duplicate', async () => {
    commits['v2'] = commitApp('main', 'hook v2');
    const both = await Promise.all([
      githubPush('gh-2', 'main', commits['v2']!),
      githubPush('gh-2', 'main', commits['v2']!),
    ]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 202], JSON.stringify(both));
    const d = await finished('gh-2');
    assert.equal(d.outcome, 'deployed v2');
    await serves('hook v2');
    assert.equal(await releases(), 2);
  });

  test('a wrong or missing signature is 401, changes nothing, and shows as refused', async () => {
    commits['v3'] = commitApp('main', 'hook v3');
    const wrong = await githubPush('gh-bad', 'main', commits['v3']!, 'not-the-secret');
    assert.equal(wrong.status, 401);
    const unsigned = await deliver('github', { 'x-github-event': 'push', 'x-github-delivery': 'gh-unsigned' }, '{}');
    assert.equal(unsigned.status, 401);
    // A GitHub signature on the GitLab URL proves nothing there.
    const crossed = await deliver('gitlab', { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': githubSecret }, '{}');
    assert.equal(crossed.status, 401);
    assert.equal((await byId('gh-bad'))[0]?.outcome, 'refused: bad signature');
    assert.equal((await byId('gh-unsigned'))[0]?.outcome, 'refused: no signature');
    assert.equal((await get(h.httpPort, h.host(app))).body, 'hook v2');
    assert.equal(await releases(), 2);
    // A refused delivery claims no id: the rightly signed one with that id still deploys (below, by GitLab).
  });

  test('unknown apps and providers get the same 404', async () => {
    const none = await deliver('github', { 'x-github-event': 'push' }, '{}', 'no-such-app');
    const bogus = await deliver('bitbucket', {}, '{}');
    assert.equal(none.status, 404);
    assert.equal(bogus.status, 404);
    assert.equal(JSON.parse(none.body).error.message, JSON.parse(bogus.body).error.message);
    // A body over the limit (1 MiB) is refused from its declared length, before it is read or parsed.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: h.apiPort,
        method: 'POST',
        path: `/hooks/github/${app}`,
        headers: { 'content-length': String(2 * 1024 * 1024), 'x-github-event': 'push' },
        agent: false,
        timeout: 10_000,
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('no answer to an oversized delivery')));
      req.flushHeaders();
    });
    assert.equal(status, 413);
  });

  test('a GitLab token delivery deploys; a push to another branch is ignored', async () => {
    const body = JSON.stringify({
      object_kind: 'push',
      ref: 'refs/heads/main',
      after: commits['v3'],
      user_username: 'bob',
      project: { git_http_url: repoUrl },
    });
    const res = await deliver(
      'gitlab',
      { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': gitlabSecret, 'x-gitlab-event-uuid': 'gl-1' },
      body,
    );
    assert.equal(res.status, 202, res.body);
    assert.equal((await finished('gl-1')).outcome, 'deployed v3');
    await serves('hook v3');
    const feature = commitApp('feature', 'hook feature');
    const other = await githubPush('gh-feature', 'feature', feature);
    assert.equal(other.status, 200);
    assert.match(other.body, /ignored: other branch/);
    const deleted = await githubPush('gh-delete', 'main', '0'.repeat(40));
    assert.match(deleted.body, /ignored: branch deleted/);
    assert.equal(await releases(), 3);
    assert.equal((await get(h.httpPort, h.host(app))).body, 'hook v3');
  });

  test('a Gitea delivery (X-Gitea-Signature) deploys too', async () => {
    commits['v4'] = commitApp('main', 'hook v4');
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: commits['v4'],
      repository: { clone_url: repoUrl },
      pusher: { login: 'cy' },
    });
    const res = await deliver(
      'gitea',
      {
        'x-gitea-event': 'push',
        'x-gitea-delivery': 'gt-1',
        'x-gitea-signature': createHmac('sha256', giteaSecret).update(body).digest('hex'),
      },
      body,
    );
    assert.equal(res.status, 202, res.body);
    assert.equal((await finished('gt-1')).outcome, 'deployed v4');
    await serves('hook v4');
    assert.equal(await releases(), 4);
  });

  test('the audit log shows the deliveries and holds no secret; the store has none in the clear', async () => {
    const entries = JSON.parse((await h.ok('audit', '-a', app, '-n', '500', '--json')).stdout) as Array<{
      actor: string;
      path: string;
      status: number;
    }>;
    const hooks = entries.filter((e) => e.path === `/hooks/github/${app}`);
    assert.ok(
      hooks.some((e) => e.status === 202 && e.actor === 'webhook:github'),
      JSON.stringify(hooks),
    );
    assert.ok(hooks.some((e) => e.status === 401));
    const text = JSON.stringify(entries);
    const db = ['slipway.db', 'slipway.db-wal']
      .map((f) => join(h.home, f))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f, 'latin1'))
      .join('');
    for (const secret of [githubSecret, gitlabSecret, giteaSecret, password]) {
      assert.ok(!text.includes(secret), 'no secret in the audit log');
      assert.ok(!db.includes(secret), 'no secret in the clear in the store');
      assert.ok(!h.serverLog.includes(secret), 'no secret in the server log');
    }
    assert.ok(
      gitServer!.requests.some((r) => r.includes('info/refs')),
      'the git server was asked',
    );
  });
});
