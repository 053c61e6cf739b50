import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Harness, ROOT, BASE_IMAGE, get, uniqueApp } from './harness.js';
import { assertClean, startLoad, releasesSince, type LoadRun } from './load.js';

const SLOW_APP = join(ROOT, 'test', 'e2e', 'fixtures', 'slow-app');

describe('zero-downtime rollouts through HAProxy (real Docker, real HAProxy, real SQLite)', () => {
  let h: Harness;
  const app = uniqueApp('slow');
  let image = '';

  const load = (): LoadRun =>
    startLoad({
      port: h.httpPort,
      host: h.host(app),
      keepAliveClients: 8,
      newConnectionClients: 4,
      maxDurationMs: 8 * 60_000,
    });

  const currentRelease = async (): Promise<number> => {
    const { stdout } = await h.ok('releases', '-a', app, '--json');
    const releases = JSON.parse(stdout) as { version: number; current: boolean; image: string }[];
    return releases.find((r) => r.current)!.version;
  };

  before(async () => {
    h = await Harness.create();
    await h.startServer();
    await h.ok('apps:create', app);
    await h.ok('apps:settings:set', '-a', app, 'healthcheck.path=/health', 'drain.timeout=15000');
    await h.ok('deploy', '-a', app, SLOW_APP, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
    const { stdout } = await h.ok('releases', '-a', app, '--json');
    image = (JSON.parse(stdout) as { image: string }[])[0]!.image;
  });

  after(async () => {
    h.removeAppContainers(app);
    await h.destroy();
    try {
      execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  });

  test('the app answers at <app>.<domain>; an unknown host gets a 404 page, not a reset', async () => {
    const res = await get(h.httpPort, h.host(app));
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { release: string }).release, 'v1');
    const unknown = await get(h.httpPort, 'nope.slipway.test');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body, /nope\.slipway\.test/);
  });

  test(
    '10 consecutive deploys under load: ' + 'zero failed requests, and after each one only the new release answers',
    async () => {
      const run = load();
      try {
        for (let i = 1; i <= 10; i++) {
          if (i % 2 === 0) await h.ok('deploy', '-a', app, '--image', image);
          else await h.ok('config:set', '-a', app, `COLOR=c${i}`);
          const done = Date.now();
          const version = await currentRelease();
          await new Promise((r) => setTimeout(r, 700));
          assert.deepEqual([...releasesSince(run.samples, done)], [`v${version}`], `after deploy ${i}`);
        }
      } finally {
        await run.stop();
      }
      assertClean(run.samples, '10 deploys');
    },
  );

  test(
    'with a TCP check (no health path), ' + 'an app that is slow to listen takes traffic only once it listens',
    async () => {
      await h.ok('apps:settings:set', '-a', app, 'healthcheck.path=');
      const run = load();
      let events: { type: string; stage?: string; ms?: number; ok?: boolean }[] = [];
      try {
        const { stdout } = await h.ok('config:set', '-a', app, 'STARTUP_DELAY_MS=2000', '--json');
        events = (JSON.parse(stdout) as { events: typeof events }).events;
        const done = Date.now();
        const version = await currentRelease();
        await new Promise((r) => setTimeout(r, 700));
        assert.deepEqual([...releasesSince(run.samples, done)], [`v${version}`]);
      } finally {
        await run.stop();
        await h.ok('apps:settings:set', '-a', app, 'healthcheck.path=/health');
      }
      assertClean(run.samples, 'TCP-checked deploy of a slow starter');
      // Docker's userland proxy accepts connections before the app listens: the probe must see through it.
      const probe = events.find((e) => e.type === 'stage-end' && e.stage === 'probe');
      assert.ok(
        probe && probe.ok && probe.ms! >= 1500,
        `the TCP probe waited for the app to listen: ${JSON.stringify(probe)}`,
      );
    },
  );

  test(
    'a release that never becomes healthy fails under ' +
      'load without a failed request; the old release keeps serving',
    async () => {
      const before = await currentRelease();
      await h.ok('apps:settings:set', '-a', app, 'healthcheck.attempts=8', 'healthcheck.interval=250');
      const run = load();
      let result;
      try {
        result = await h.cli('config:set', '-a', app, 'NEVER_HEALTHY=1');
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        await run.stop();
      }
      assertClean(run.samples, 'failed release');
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /never became healthy/);
      assert.match(
        result.stderr,
        /NEVER_HEALTHY=1: not listening on purpose/,
        "the error shows the container's last log lines",
      );
      assert.match(result.stderr, /last health checks/);
      assert.equal(await currentRelease(), before);
      const { stdout } = await h.ok('releases', '-a', app, '--json');
      const failed = (JSON.parse(stdout) as { version: number; status: string }[])[0]!;
      assert.equal(failed.status, 'failed');
      assert.equal(failed.version, before + 1);
      const { stdout: config } = await h.ok('config', '-a', app, '--json');
      assert.equal(
        (JSON.parse(config) as Record<string, string>)['NEVER_HEALTHY'],
        undefined,
        'the failed config change was undone',
      );
      const ps = JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as { processes: { release: string }[] };
      assert.deepEqual(
        ps.processes.map((p) => p.release),
        [`v${before}`],
        'no container of the failed release is left',
      );
      assert.equal(releasesSince(run.samples, 0).has(`v${before + 1}`), false);
      await h.ok('apps:settings:set', '-a', app, 'healthcheck.attempts=60');
    },
  );

  test('scaling 1 → 4 → 1 under load: zero failed requests', async () => {
    const run = load();
    try {
      await h.ok('ps:scale', '-a', app, 'web=4');
      const ps = JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as {
        processes: { dyno: string; router?: string }[];
      };
      assert.deepEqual(
        ps.processes.map((p) => p.dyno),
        ['web.1', 'web.2', 'web.3', 'web.4'],
      );
      assert.ok(
        ps.processes.every((p) => p.router?.startsWith('UP')),
        JSON.stringify(ps.processes),
      );
      await new Promise((r) => setTimeout(r, 1500));
      const dynos = new Set(
        run.samples
          .filter((s) => s.ok)
          .slice(-60)
          .map((s) => (JSON.parse(s.body!) as { dyno: string }).dyno),
      );
      assert.ok(dynos.size >= 3, `traffic spreads over the new containers (${[...dynos].join(',')})`);
      await h.ok('ps:scale', '-a', app, 'web=1');
    } finally {
      await run.stop();
    }
    assertClean(run.samples, 'scale 1→4→1');
    const ps = JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as { processes: { dyno: string }[] };
    assert.deepEqual(
      ps.processes.map((p) => p.dyno),
      ['web.1'],
    );
  });

  test('HAProxy killed with -9 is restarted by the supervisor and its routes come back without a deploy', async () => {
    const pid = h.haproxyPid();
    assert.ok(pid, 'HAProxy pidfile exists');
    execFileSync('pkill', ['-9', '-f', join(h.home, 'haproxy')]);
    let answered = false;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      try {
        const res = await get(h.httpPort, h.host(app));
        if (res.status === 200) {
          answered = true;
          break;
        }
      } catch {
        // not back yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(answered, `routes came back:\n${h.serverLog.slice(-2000)}`);
    assert.notEqual(h.haproxyPid(), pid, 'a new HAProxy is running');
    const run = load();
    await new Promise((r) => setTimeout(r, 1500));
    await run.stop();
    assertClean(run.samples, 'after HAProxy restart');
  });

  test(
    'apps:destroy drains and removes the ' + 'containers, routes and images; the host then gets the 404 page',
    async () => {
      const { stdout } = await h.ok('apps:destroy', app, '--confirm', app, '--json');
      const result = JSON.parse(stdout) as { removedContainers: number; removedImages: number };
      assert.ok(result.removedContainers >= 1);
      assert.ok(result.removedImages >= 1);
      const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=slipway.app=${app}`], {
        encoding: 'utf8',
      }).trim();
      assert.equal(left, '');
      assert.throws(() => execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }));
      assert.equal((await get(h.httpPort, h.host(app))).status, 404);
      const apps = JSON.parse((await h.ok('apps', '--json')).stdout) as { name: string }[];
      assert.equal(
        apps.some((a) => a.name === app),
        false,
      );
    },
  );
});
