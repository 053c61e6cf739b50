import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Harness, ROOT, BASE_IMAGE, get, uniqueApp } from './harness.js';

const SLOW_APP = join(ROOT, 'test', 'e2e', 'fixtures', 'slow-app');

interface ApiAnswer {
  status: number;
  body: { error?: { code: string; message: string; hint?: string } } & Record<string, unknown>;
}

/** One raw API request, with full control over the Host header, path and body. */
function api(
  h: Harness,
  method: string,
  path: string,
  opts: { host?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const token = readFileSync(join(h.home, 'token'), 'utf8').trim();
  const data = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: h.apiPort,
        method,
        path,
        agent: false,
        headers: {
          host: opts.host ?? `127.0.0.1:${h.apiPort}`,
          authorization: `Bearer ${token}`,
          ...(data ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          // Streamed operations answer NDJSON: the last line is the result or the error.
          const last = text.trim().split('\n').at(-1) ?? '{}';
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(last || '{}') as ApiAnswer['body'] });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * The control plane survives bad values (issue 8 §2): a stored setting the proxy cannot use is
 * reported for its app while every other app keeps serving; hostile requests are input errors.
 */
describe('one bad value never bricks the control plane; hostile requests are refused', () => {
  let h: Harness;
  const good = uniqueApp('good');
  const bad = uniqueApp('bad');
  let image = '';

  before(async () => {
    h = await Harness.create();
    await h.startServer();
    await h.ok('apps:create', good);
    await h.ok('apps:create', bad);
    await h.ok('deploy', '-a', good, SLOW_APP, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
    image = (JSON.parse((await h.ok('releases', '-a', good, '--json')).stdout) as { image: string }[])[0]!.image;
    await h.ok('deploy', '-a', bad, '--image', image);
  });

  after(async () => {
    h.removeAppContainers(good, bad);
    await h.destroy();
    try {
      execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  });

  test(
    'an invalid stored health-check path: the server starts, ' +
      'other apps serve, ps names the problem, a fix restores routing',
    async () => {
      await h.stopServer();
      const db = new Database(join(h.home, 'slipway.db'));
      try {
        const row = db.prepare('SELECT settings_json FROM apps WHERE name = ?').get(bad) as { settings_json: string };
        const settings = JSON.parse(row.settings_json) as { healthcheck: Record<string, unknown> };
        settings.healthcheck['path'] = '/x y#z';
        db.prepare('UPDATE apps SET settings_json = ? WHERE name = ?').run(JSON.stringify(settings), bad);
      } finally {
        db.close();
      }
      await h.startServer();
      assert.equal((await get(h.httpPort, h.host(good))).status, 200, `the other app keeps serving\n${h.serverLog}`);
      const ps = JSON.parse((await h.ok('ps', '-a', bad, '--json')).stdout) as { problems: string[] };
      assert.ok(
        ps.problems.some((p) => /healthcheck\.path/.test(p)),
        JSON.stringify(ps.problems),
      );
      const human = await h.cli('ps', '-a', bad);
      assert.match(human.stderr, /^error: .*healthcheck\.path/m);
      assert.match(h.serverLog, /route-skipped/, 'the server log says which app was left out');
      // The rest of the control plane works: a new app can be created, the good app deployed.
      const third = uniqueApp('third');
      await h.ok('apps:create', third);
      await h.ok('apps:destroy', third, '--confirm', third);
      const refused = await h.cli('deploy', '-a', bad, '--image', image, '--json');
      assert.notEqual(refused.code, 0);
      assert.match(refused.stdout, /cannot be deployed until its settings are fixed/);
      // Fixing the stored value brings the app back into the proxy.
      await h.ok('apps:settings:set', '-a', bad, 'healthcheck.path=/health');
      assert.deepEqual(
        (JSON.parse((await h.ok('ps', '-a', bad, '--json')).stdout) as { problems: string[] }).problems,
        [],
      );
      const deadline = Date.now() + 15_000;
      let status = 0;
      while (Date.now() < deadline && (status = (await get(h.httpPort, h.host(bad))).status) !== 200)
        await new Promise((r) => setTimeout(r, 200));
      assert.equal(status, 200, 'routed again once fixed');
    },
  );

  test('a path HAProxy cannot take is refused by the settings API before it is saved', async () => {
    for (const path of ['/a b', '/a#b', '/"quoted"', '/back\\slash']) {
      const answer = await api(h, 'PATCH', `/v1/apps/${good}/settings`, {
        body: { set: { 'healthcheck.path': path } },
      });
      assert.equal(answer.status, 400, path);
      assert.equal(answer.body.error?.code, 'INVALID_INPUT');
      assert.ok(answer.body.error?.hint);
    }
    assert.deepEqual(
      (JSON.parse((await h.ok('ps', '-a', good, '--json')).stdout) as { problems: string[] }).problems,
      [],
    );
  });

  test('hostile Host headers are refused (DNS rebinding); loopback names are answered', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${h.apiPort}`,
      `127.0.0.1.evil.example:${h.apiPort}`,
      'localhost',
    ]) {
      const answer = await api(h, 'GET', '/v1/apps', { host });
      assert.equal(answer.status, 421, host);
      assert.equal(answer.body.error?.code, 'HOST_NOT_ALLOWED');
    }
    assert.equal((await api(h, 'GET', '/v1/apps', { host: `localhost:${h.apiPort}` })).status, 200);
  });

  test('malformed escapes, a bad tail and prototype names are input errors that change nothing', async () => {
    const before = (await h.ok('ps', '-a', good, '--json')).stdout;
    assert.equal((await api(h, 'GET', '/v1/apps/%E0%A4%A/releases')).status, 400);
    assert.equal((await api(h, 'GET', `/v1/apps/${good}/logs?tail=abc`)).status, 400);
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const answer = await api(h, 'POST', `/v1/apps/${good}/scale`, {
        body: { formation: JSON.parse(`{"${type}": 1}`) as unknown },
      });
      assert.equal(answer.status, 400, type);
      assert.equal(answer.body.error?.code, 'INVALID_INPUT');
    }
    assert.equal(
      (await api(h, 'POST', `/v1/apps/${good}/restart`, { body: { types: ['constructor'] } })).body.error?.code,
      'INVALID_INPUT',
    );
    const after = JSON.parse((await h.ok('ps', '-a', good, '--json')).stdout) as {
      processes: { containerId: string }[];
    };
    assert.deepEqual(
      after.processes.map((p) => p.containerId),
      (JSON.parse(before) as typeof after).processes.map((p) => p.containerId),
    );
  });

  test('config values: a 200 KB value and a NUL byte are refused before anything is released', async () => {
    const releases = (await h.ok('releases', '-a', good, '--json')).stdout;
    const big = await api(h, 'PATCH', `/v1/apps/${good}/config`, { body: { set: { BIG: 'x'.repeat(200 * 1024) } } });
    assert.equal(big.status, 400);
    assert.match(big.body.error!.message, /at most 64 KiB/);
    assert.doesNotMatch(big.body.error!.message, /xxxx/);
    const nul = await api(h, 'PATCH', `/v1/apps/${good}/config`, { body: { set: { NUL: 'a\u0000b' } } });
    assert.equal(nul.status, 400);
    assert.equal((await h.ok('releases', '-a', good, '--json')).stdout, releases, 'no release was made');
    // Unsetting a var that is not set changes nothing either.
    const unset = await h.ok('config:unset', '-a', good, 'NOT_SET_ANYWHERE');
    assert.match(unset.stdout, /unchanged/);
    assert.equal((await h.ok('releases', '-a', good, '--json')).stdout, releases);
  });

  test('the actor of a change is the authenticated identity, whatever the client claims', async () => {
    const answer = await api(h, 'PATCH', `/v1/apps/${good}/config`, {
      body: { set: { WHO: '1' } },
      headers: { 'x-slipway-actor': 'mallory@elsewhere' },
    });
    assert.equal(answer.status, 200);
    const rows = JSON.parse((await h.ok('releases', '-a', good, '--json')).stdout) as { createdBy: string }[];
    assert.equal(rows[0]!.createdBy, 'admin');
  });

  test('inspect reaches only containers of this Slipway home', async () => {
    const foreign = execFileSync(
      'docker',
      [
        'create',
        '--label',
        `slipway.app=${good}`,
        '--label',
        'slipway.managed=true',
        '--label',
        'slipway.instance=someone-else',
        BASE_IMAGE,
        'true',
      ],
      { encoding: 'utf8' },
    ).trim();
    try {
      const result = await h.cli('inspect', '-a', good, foreign, '--json');
      assert.notEqual(result.code, 0);
      assert.equal((JSON.parse(result.stdout) as { error: { code: string } }).error.code, 'NOT_FOUND');
    } finally {
      execFileSync('docker', ['rm', '-f', foreign], { stdio: 'ignore' });
    }
  });

  test(
    'containers run with default memory and process ' +
      'limits and rotating logs; ps:resize changes a running one in place',
    async () => {
      const ps = JSON.parse((await h.ok('ps', '-a', good, '--json')).stdout) as {
        processes: { containerId: string; limits?: { memoryBytes?: number; pids?: number } }[];
      };
      const web = ps.processes[0]!;
      assert.deepEqual(web.limits, { memoryBytes: 512 * 1024 * 1024, pids: 512 });
      const inspect = (id: string) =>
        JSON.parse(execFileSync('docker', ['inspect', id], { encoding: 'utf8' }))[0].HostConfig as {
          Memory: number;
          PidsLimit: number;
          NanoCpus: number;
          LogConfig: { Type: string; Config: Record<string, string> };
        };
      assert.deepEqual(inspect(web.containerId).LogConfig, {
        Type: 'json-file',
        Config: { 'max-size': String(10 * 1024 * 1024), 'max-file': '3' },
      });
      const resized = await h.ok('ps:resize', '-a', good, 'web', 'memory=256m', 'cpu=0.5', 'pids=128');
      assert.match(resized.stdout, /applied to the running web\.1/);
      const hc = inspect(web.containerId);
      assert.deepEqual(
        [hc.Memory, hc.PidsLimit, hc.NanoCpus],
        [256 * 1024 * 1024, 128, 500_000_000],
        'the same container, new limits',
      );
      assert.equal((await get(h.httpPort, h.host(good))).status, 200, 'still serving');
      const bad = await h.cli('ps:resize', '-a', good, 'web', 'memory=1k', '--json');
      assert.notEqual(bad.code, 0);
      assert.match(bad.stdout, /resources\.web\.memory: must be between/);
    },
  );
});
