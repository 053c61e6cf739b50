import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { Harness, ROOT, BASE_IMAGE, uniqueApp } from './harness.js';

/** Every bad input: a clear error with a hint, a non-zero exit, and no change to state. */
describe('bad input is refused with a hint and changes nothing', () => {
  let h: Harness;
  let dir: string;
  const app = uniqueApp('bad');

  const stateSnapshot = async () => ({
    apps: JSON.parse((await h.ok('apps', '--json')).stdout) as unknown,
    releases: JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as unknown,
    config: JSON.parse((await h.ok('config', '-a', app, '--json')).stdout) as unknown,
  });

  const refused = async (argv: string[], code: string, message: RegExp) => {
    const before = await stateSnapshot();
    const result = h.spawnCli([...argv, '--json']);
    assert.notEqual(result.code, 0, `${argv.join(' ')} must fail`);
    const body = JSON.parse(result.stdout) as { error: { code: string; message: string; hint?: string } };
    assert.equal(body.error.code, code, JSON.stringify(body));
    assert.match(body.error.message, message);
    assert.ok(body.error.hint, `${argv.join(' ')} has a hint`);
    const human = h.spawnCli(argv);
    assert.notEqual(human.code, 0);
    assert.match(human.stderr, /^error: /m);
    assert.match(human.stderr, /^hint: /m);
    assert.deepEqual(await stateSnapshot(), before, 'state unchanged');
  };

  before(async () => {
    h = await Harness.create();
    await h.startServer();
    await h.ok('apps:create', app);
    dir = mkdtempSync(join(tmpdir(), 'slipway-bad-'));
  });

  after(async () => {
    h.removeAppContainers(app);
    await h.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an app name that is not a DNS label', () =>
    refused(['apps:create', 'Bad_Name'], 'INVALID_NAME', /invalid app name/));
  test('an app that exists already', () => refused(['apps:create', app], 'APP_EXISTS', /already exists/));
  test('an unknown app', () => refused(['releases', '-a', 'no-such-app'], 'APP_NOT_FOUND', /does not exist/));
  test('destroy without confirmation', () =>
    refused(['apps:destroy', app], 'CONFIRMATION_REQUIRED', /removes its containers/));
  test('an empty directory (no Dockerfile, nothing to analyze)', () =>
    refused(['deploy', '-a', app, dir], 'NO_DOCKERFILE', /no Dockerfile in the deployed directory, and it is empty/));
  test('an image that does not exist', () =>
    refused(['deploy', '-a', app, '--image', 'slipway-test/does-not-exist:nope'], 'IMAGE_NOT_FOUND', /does not exist/));
  test('a config var name that is not an env var name', () =>
    refused(['config:set', '-a', app, '1BAD=x'], 'INVALID_INPUT', /invalid config var name/));
  test('a setting that does not exist', () =>
    refused(['apps:settings:set', '-a', app, 'nope=1'], 'INVALID_INPUT', /unknown setting/));
  test('scaling an app with no release', () => refused(['ps:scale', '-a', app, 'web=2'], 'NO_RELEASE', /no release/));

  test('a malformed Procfile is refused before anything builds', async () => {
    const src = join(dir, 'procfile-app');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'Dockerfile'), `FROM ${BASE_IMAGE}\nCMD ["node", "-e", "1"]\n`);
    writeFileSync(join(src, 'Procfile'), 'web node server.js\n');
    await refused(['deploy', '-a', app, src], 'PROCFILE_INVALID', /Procfile:1/);
  });

  test('the server refuses to start when its API port is in use', async () => {
    const other = await Harness.create();
    try {
      const env = { ...other.env, SLIPWAY_API_PORT: String(h.apiPort) };
      const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'server'], {
        env,
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /error: API port \d+ on 127.0.0.1 is already in use/);
      assert.match(result.stderr, /hint: /);
    } finally {
      await other.destroy();
    }
  });

  test('the server refuses to start when the router port is in use', async () => {
    const other = await Harness.create();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(other.httpPort, '127.0.0.1', () => r()));
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'server'], {
        env: other.env,
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /error: .*in use/);
      assert.match(result.stderr, /SLIPWAY_HTTP_PORT/);
    } finally {
      blocker.close();
      await other.destroy();
    }
  });

  test('the server refuses to start when Docker does not answer', async () => {
    const other = await Harness.create();
    try {
      const env = { ...other.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
      const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'server'], {
        env,
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /error: .*Docker/i);
      assert.match(result.stderr, /hint: .*dockerd/);
    } finally {
      await other.destroy();
    }
  });

  test('the server refuses to start when HAProxy is not installed', async () => {
    const other = await Harness.create();
    try {
      const env = { ...other.env, SLIPWAY_HAPROXY_BIN: '/nonexistent/haproxy' };
      const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'server'], {
        env,
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /error: .*HAProxy/i);
      assert.match(result.stderr, /hint: .*slipway setup/);
    } finally {
      await other.destroy();
    }
  });

  test('the CLI says when no server is running', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'apps'], {
      env: { ...process.env, SLIPWAY_HOME: dir },
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /no Slipway server is running/);
    assert.match(result.stderr, /hint: start it with `slipway server`/);
  });
});
