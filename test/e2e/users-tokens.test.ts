import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, ROOT, get, uniqueApp } from './harness.js';
import { busyboxWeb } from '../support/busybox-web.js';

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Users, roles, tokens and the audit log through the real server and CLI: the home's token is the first
 * admin's; a member acts only on the apps given to it; an app token of scope deploy deploys that app and
 * nothing else; revoked and expired tokens are refused; the audit log has each of these and no secret.
 */
describe('users, tokens, roles and audit', () => {
  let h: Harness;
  let dir = '';
  let image = '';
  let otherImage = '';
  const shop = uniqueApp('shop');
  const other = uniqueApp('other');
  const tokens: string[] = [];

  /** The CLI as a separate process acting with `token` (SLIPWAY_TOKEN), exit code as a user sees it. */
  const as = (token: string, ...argv: string[]): Cli => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), ...argv], {
      env: { ...h.env, SLIPWAY_TOKEN: token },
      cwd: ROOT,
      encoding: 'utf8',
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const made = (out: string) => {
    const { token } = JSON.parse(out) as { token: string };
    tokens.push(token);
    return token;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-users-'));
    image = busyboxWeb(dir, `slipway-test/users-web:${process.pid}`, 'hello');
    otherImage = busyboxWeb(dir, `slipway-test/users-other:${process.pid}`, 'not-yours');
    h = await Harness.create();
    await h.startServer();
    await h.ok('apps:create', shop);
    await h.ok('apps:create', other);
  });

  after(async () => {
    h?.removeAppContainers(shop, other);
    await h?.destroy();
    spawnSync('docker', ['rmi', '-f', image, otherImage], { stdio: 'ignore' });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the home's token is the first admin's; an admin adds a member and gives it one app", async () => {
    const me = JSON.parse((await h.ok('whoami', '--json')).stdout) as { user: { name: string; role: string } };
    assert.deepEqual([me.user.name, me.user.role], ['admin', 'admin']);
    await h.ok('users:add', 'alice', '--role', 'member');
    const bad = await h.cli('users:add', 'Bad Name');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not a user name/);
    await h.ok('access:add', '-a', shop, 'alice');
    assert.deepEqual(JSON.parse((await h.ok('access', '-a', shop, '--json')).stdout), ['alice']);
  });

  test('a member acts on its app only: other apps and admin routes are a 403 naming what is missing', async () => {
    const alice = made((await h.ok('tokens:create', '--user', 'alice', '--name', 'alice-cli', '--json')).stdout);
    const apps = JSON.parse(as(alice, 'apps', '--json').stdout) as Array<{ name: string }>;
    assert.deepEqual(
      apps.map((a) => a.name),
      [shop],
    );
    assert.equal(as(alice, 'config:set', '-a', shop, 'GREETING=hi').code, 0);
    const elsewhere = as(alice, 'config', '-a', other);
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.stderr, new RegExp(`needs access to app ${other}`));
    assert.match(elsewhere.stderr, new RegExp(`hint: an admin can grant it: slipway access:add -a ${other} alice`));
    const admin = as(alice, 'nodes');
    assert.equal(admin.code, 1);
    assert.match(admin.stderr, /needs the admin role/);
    assert.equal(as(alice, 'users:add', 'mallory', '--role', 'admin').code, 1);
    assert.equal(as(alice, 'access:add', '-a', other, 'alice').code, 1);
  });

  test('an app token of scope deploy deploys that app and nothing else', async () => {
    // The app's own build (an admin deployed it first); another image on the host is not the app's.
    await h.ok('deploy', '-a', shop, '--image', image);
    const ci = made(
      (await h.ok('tokens:create', '--app', shop, '--scope', 'deploy', '--name', 'ci', '--expires', '30d', '--json'))
        .stdout,
    );
    const deployed = as(ci, 'deploy', '-a', shop, '--image', image);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.equal((await get(h.httpPort, h.host(shop))).body.trim(), 'hello');
    const releases = JSON.parse((await h.ok('releases', '-a', shop, '--json')).stdout) as Array<{ createdBy?: string }>;
    assert.equal(releases.length, 2);
    const foreign = as(ci, 'deploy', '-a', shop, '--image', otherImage);
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /is not one of .*'s builds/);
    assert.equal((JSON.parse((await h.ok('releases', '-a', shop, '--json')).stdout) as unknown[]).length, 2);
    for (const [argv, missing] of [
      [['config:set', '-a', shop, 'X=1'], 'a token of scope admin'],
      [['ps:scale', '-a', shop, 'web=2'], 'a token of scope admin'],
      [['deploy', '-a', other, '--image', image], `a token for app ${other}`],
      [['apps:create', uniqueApp('new')], 'the admin role|a token that is not limited'],
      [['tokens:create', '--name', 'more'], 'not limited to app'],
      [['tokens', '--all'], 'not limited to app'],
      [['tokens:revoke', '1'], 'not limited to app'],
    ] as const) {
      const refused = as(ci, ...argv);
      assert.equal(refused.code, 1, argv.join(' '));
      assert.match(refused.stderr, new RegExp(missing), argv.join(' '));
    }
    const read = made((await h.ok('tokens:create', '--scope', 'read', '--json')).stdout);
    assert.equal(as(read, 'ps', '-a', shop).code, 0);
    assert.match(as(read, 'config', '-a', shop).stderr, /a token of scope admin/, 'config values are secrets');
    assert.match(as(read, 'rollback', '-a', shop).stderr, /a token of scope deploy/);
  });

  test('revoked and expired tokens are refused at once (401 saying why)', async () => {
    const listed = JSON.parse((await h.ok('tokens', '--all', '--json')).stdout) as Array<{ id: number; name: string }>;
    const aliceToken = listed.find((t) => t.name === 'alice-cli')!;
    await h.ok('tokens:revoke', String(aliceToken.id));
    const revoked = as(tokens[0]!, 'apps');
    assert.equal(revoked.code, 1);
    assert.match(revoked.stderr, /token alice-cli was revoked/);
    const brief = made((await h.ok('tokens:create', '--expires', '1s', '--name', 'brief', '--json')).stdout);
    const deadline = Date.now() + 15_000;
    let last: Cli;
    do {
      last = as(brief, 'apps');
      if (last.code !== 0) break;
      await new Promise((r) => setTimeout(r, 250));
    } while (Date.now() < deadline);
    assert.equal(last.code, 1);
    assert.match(last.stderr, /token brief expired at/);
    assert.equal(as('slp_not-a-token', 'apps').code, 1);
    // The last full admin token cannot be revoked (nobody could make tokens again).
    const local = listed.find((t) => t.name === 'local')!;
    const lastAdmin = await h.cli('tokens:revoke', String(local.id));
    assert.equal(lastAdmin.code, 1);
    assert.match(lastAdmin.stderr, /last full admin token/);
  });

  test('the audit log has who, what, from where and the outcome of each of these, and never a secret', async () => {
    const entries = JSON.parse((await h.ok('audit', '-n', '500', '--json')).stdout) as Array<{
      actor: string;
      method: string;
      path: string;
      status: number;
      code: string | null;
      source: string | null;
      token: string | null;
    }>;
    const has = (pred: (e: (typeof entries)[number]) => boolean, what: string) =>
      assert.ok(entries.some(pred), `${what}: ${JSON.stringify(entries.slice(-5))}`);
    has(
      (e) => e.actor === 'alice' && e.method === 'GET' && e.path.includes(`/apps/${other}`) && e.status === 403,
      'member refused',
    );
    has((e) => e.actor === 'alice' && e.path === '/v1/nodes' && e.status === 403, 'admin route refused');
    has((e) => e.actor === 'alice' && e.method === 'PATCH' && e.status === 200, "member's config change");
    has((e) => e.actor === 'admin' && e.token?.startsWith('ci ') === true && e.path.endsWith('/deploys'), 'CI deploy');
    has((e) => e.actor === '(not authenticated)' && e.status === 401, 'revoked/expired/unknown token');
    assert.ok(entries.every((e) => e.source === '127.0.0.1' || e.source === '::ffff:127.0.0.1'));
    const shopOnly = JSON.parse((await h.ok('audit', '-a', shop, '--json')).stdout) as Array<{ path: string }>;
    assert.ok(shopOnly.length > 0 && shopOnly.every((e) => e.path.includes(shop)));
    const db = readFileSync(join(h.home, 'slipway.db')).toString('latin1');
    const audit = JSON.stringify(entries);
    for (const token of [...tokens, readFileSync(join(h.home, 'token'), 'utf8').trim()]) {
      assert.ok(!audit.includes(token) && !db.includes(token), 'no token value in the audit log or the store');
      assert.ok(!audit.includes(token.slice(12)), 'not even past its prefix');
    }
  });
});
