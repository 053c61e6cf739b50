import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Harness, ROOT, get, uniqueApp, waitFor } from './harness.js';
import { startLoad, summarize, type LoadSample } from './load.js';
import { sendSocketCommand } from '../../src/router/runtime-client.js';
import { parseShowProc } from '../../src/router/master-cli.js';

/** Maintenance mode and router access logs through the real server, HAProxy and Docker. */
describe('maintenance mode and router access logs (real Docker, real HAProxy)', () => {
  let h: Harness;
  let dir: string;
  const app = uniqueApp('mnt');
  const masterSocket = () => join(h.home, 'haproxy', 'master.sock');
  const proc = async () => parseShowProc(await sendSocketCommand(masterSocket(), 'show proc'))!;
  const containers = async () =>
    (JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as { processes: { containerId: string }[] }).processes
      .map((p) => p.containerId)
      .sort();
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-e2e-maint-'));
    h = await Harness.create();
    await h.startServer();
    await h.deploySlowApp(app);
  });

  after(async () => {
    h.removeAppContainers(app);
    await h.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('on under load: every answer is a 503 with Retry-After and no request fails; off: zero failed', async (t) => {
    const before = await containers();
    const reloads = (await proc()).reloads;
    const run = startLoad({ port: h.httpPort, host: h.host(app), keepAliveClients: 6, newConnectionClients: 3 });
    let onAt = 0;
    let offAt = 0;
    let onMs = 0;
    try {
      await waitFor('requests through the router', async () => run.samples.filter((s) => s.ok).length > 20);
      const asked = Date.now();
      const on = await h.ok('maintenance:on', '-a', app);
      onAt = Date.now();
      onMs = onAt - asked;
      assert.match(on.stdout, /is in maintenance .*503 with Retry-After: 60 and Slipway's page/);
      await waitFor('maintenance answers', async () => run.samples.filter((s) => s.startedAt > onAt).length > 100);
      await h.ok('maintenance:off', '-a', app);
      offAt = Date.now();
      await waitFor(
        'answers after maintenance',
        async () => run.samples.filter((s) => s.startedAt > offAt).length > 100,
      );
    } finally {
      await run.stop();
    }
    const during = run.samples.filter((s) => s.startedAt > onAt && s.endedAt < offAt - 50);
    t.diagnostic(
      `${run.samples.length} requests: ${during.length} during maintenance, ` +
        `${run.samples.filter((s) => s.startedAt > offAt).length} after it; maintenance:on took ${onMs} ms`,
    );
    const wrong = during.filter((s: LoadSample) => s.status !== 503 || s.retryAfter !== '60');
    assert.ok(during.length > 100, `${during.length} requests during maintenance`);
    assert.deepEqual(wrong.slice(0, 3), [], `${wrong.length} of ${during.length} answers were not 503 + Retry-After`);
    assert.match(during[0]!.body!, new RegExp(`<h1>${app} is down for maintenance</h1>`));
    const summary = summarize(run.samples.filter((s) => s.startedAt > offAt));
    assert.deepEqual(
      { failed: summary.failed, non2xx: summary.non2xx },
      { failed: 0, non2xx: 0 },
      summary.failures.join('\n'),
    );
    assert.equal(summarize(run.samples).failed, 0, 'no reset, no error, at any time');
    assert.equal((await proc()).reloads, reloads, 'on and off went through the runtime API: no reload');
    assert.deepEqual(await containers(), before, 'the containers kept running');
  });

  test("the app's own page, kept across a reload and a restart of HAProxy; bad pages are refused", async () => {
    const page = join(dir, 'maintenance.html');
    writeFileSync(page, "<h1>Back at 3 o'clock</h1>\n");
    await h.ok('maintenance:on', '-a', app, '--page', page, '--retry-after', '5m');
    const res = await get(h.httpPort, h.host(app));
    assert.deepEqual([res.status, res.body], [503, "<h1>Back at 3 o'clock</h1>\n"]);
    // A change of the app's backend is a reload: the state comes from the rendered files.
    const reloads = (await proc()).reloads;
    await h.ok('apps:settings:set', '-a', app, 'healthcheck.timeout=1900ms');
    assert.ok((await proc()).reloads > reloads, 'a reload happened');
    assert.equal((await get(h.httpPort, h.host(app))).status, 503);
    // kill -9 of HAProxy: the supervisor starts it again from the store.
    const table = await proc();
    for (const pid of [table.masterPid, ...table.workers]) process.kill(pid, 'SIGKILL');
    await waitFor('HAProxy to be back', async () => (await proc()).masterPid !== table.masterPid);
    await waitFor('the maintenance page again', async () => (await get(h.httpPort, h.host(app))).status === 503);
    assert.equal((await get(h.httpPort, h.host(app))).body, "<h1>Back at 3 o'clock</h1>\n");
    const status = JSON.parse((await h.ok('maintenance', '-a', app, '--json')).stdout) as Record<string, unknown>;
    assert.deepEqual([status['enabled'], status['retryAfterSec'], status['page']], [true, 300, 'app']);

    writeFileSync(page, `<p>${'x'.repeat(13_000)}</p>`);
    const big = await h.cli('maintenance:on', '-a', app, '--page', page);
    assert.equal(big.code, 1);
    assert.match(big.stderr, /HAProxy serves pages up to 12 KiB/);
    const bad = await h.cli('maintenance:on', '-a', app, '--retry-after', 'soon');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /retryAfter: not a duration/);
    assert.equal((await get(h.httpPort, h.host(app))).body, "<h1>Back at 3 o'clock</h1>\n", 'state unchanged');
    await h.ok('maintenance:off', '-a', app);
    await waitFor('the app again', async () => (await get(h.httpPort, h.host(app))).status === 200);
  });

  test('logs --source router: method, path (never the query), status, timings; -f follows', async () => {
    await get(h.httpPort, h.host(app), '/orders/7?token=s3cr3t');
    await waitFor('the request in the router log', async () =>
      (await h.ok('logs', '-a', app, '--source', 'router', '-n', '5')).stdout.includes('path="/orders/7"'),
    );
    const { stdout } = await h.ok('logs', '-a', app, '--source', 'router', '-n', '50');
    const line = stdout.split('\n').find((l) => l.includes('path="/orders/7"'))!;
    assert.match(
      line,
      new RegExp(
        `^\\S+ ${app}\\[router\\]: method=GET path="/orders/7" host=${h.host(app).replace(/\./g, '\\.')} ` +
          'status=200 bytes=\\d+ client=127\\.0\\.0\\.1 server=web-\\S+ Tq=\\d+ Tw=\\d+ Tc=\\d+ Tr=\\d+ Ta=\\d+ms$',
      ),
    );
    assert.ok(!stdout.includes('s3cr3t'), 'query strings are never logged');
    assert.match(stdout, /status=503 .*server=- /, "maintenance answers were logged (HAProxy's own, no server)");
    const json = (await h.ok('logs', '-a', app, '--source', 'router', '-n', '1', '--json')).stdout;
    const entry = (JSON.parse(json.trim()) as { router: { method: string; timings: Record<string, number> } }).router;
    assert.deepEqual(Object.keys(entry.timings), ['tq', 'tw', 'tc', 'tr', 'ta']);

    // -f as a user runs it: a separate process that prints lines as requests arrive.
    const follow = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'logs', '-a', app, '--source', 'all', '-f', '-n', '0'],
      { env: h.env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    follow.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor('-f to print a new request', async () => {
        await get(h.httpPort, h.host(app), '/followed');
        return out.includes('path="/followed"');
      });
    } finally {
      follow.kill('SIGTERM');
    }
    const refused = await h.cli('logs', '-a', app, '--source', 'nginx');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /unknown log source "nginx"[\s\S]*hint: use --source app/);
  });
});
