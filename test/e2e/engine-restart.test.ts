import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Harness, get, uniqueApp } from './harness.js';
import { startLoad, summarize } from './load.js';
import { TestDockerd } from './engine-restart-daemon.js';
import { readHostFacts, planSetup } from '../../src/setup/host-checks.js';
import { applySetup } from '../../src/setup/host-setup.js';
import { slipwayPaths } from '../../src/config/environment.js';
import type { SlipwayEvent } from '../../src/core/events.js';

interface Row {
  dyno: string;
  state: string;
  router?: string;
  containerId: string;
}

/**
 * Restarting the Docker Engine (as every docker.io upgrade does) under load, against a dockerd this
 * test starts itself (own data root, exec root, socket, pidfile and bridge): never the machine's engine.
 */
describe("a Docker Engine restart does not take apps down (a dockerd of the test's own)", () => {
  let daemon: TestDockerd;
  let h: Harness;
  const app = uniqueApp('engine');
  const image = 'slipway-test/busybox-web:1';

  const ps = async (): Promise<Row[]> =>
    (JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as { processes: Row[] }).processes;

  before(async () => {
    daemon = await TestDockerd.start({ 'log-level': 'warn' });
    daemon.importBusyboxWeb(image);
    h = await Harness.create();
  });

  after(async () => {
    await h?.destroy();
    await daemon?.destroy();
  });

  test(
    'setup finds live-restore off, turns it on in the daemon ' +
      'config (other settings kept) with a reload, and then finds nothing to do',
    async () => {
      const files = { daemonJson: daemon.configFile, pidFile: daemon.pidFile };
      const paths = slipwayPaths(h.home);
      const before = await readHostFacts(daemon.engine, paths.token, { files, local: true });
      assert.equal(before.liveRestore, false);
      const steps = planSetup(before).filter((s) => s.kind === 'enable-live-restore');
      assert.equal(steps.length, 1, 'setup --check reports it');
      const events: SlipwayEvent[] = [];
      await applySetup(steps, { engine: daemon.engine, paths, emit: (e) => events.push(e), docker: files });
      assert.equal((await daemon.engine.info()).liveRestore, true, 'the running dockerd reloaded it (no restart)');
      assert.deepEqual(JSON.parse(readFileSync(daemon.configFile, 'utf8')), {
        'log-level': 'warn',
        'live-restore': true,
      });
      assert.ok(
        events.some((e) => e.type === 'info' && /reloaded it \(SIGHUP\)/.test(e.text)),
        JSON.stringify(events),
      );
      const after = await readHostFacts(daemon.engine, paths.token, { files, local: true });
      assert.equal(
        planSetup(after).some((s) => s.kind === 'enable-live-restore'),
        false,
      );
    },
  );

  test(
    'dockerd restarted under load: zero failed requests, ' +
      'the same containers keep serving, and the supervisor follows the engine again',
    async () => {
      await h.startServer({ DOCKER_HOST: daemon.host });
      await h.ok('apps:create', app);
      await h.ok('deploy', '-a', app, '--image', image);
      await h.ok('ps:scale', '-a', app, 'web=2');
      const before = await ps();
      assert.deepEqual(
        before.map((p) => [p.dyno, p.state]),
        [
          ['web.1', 'running'],
          ['web.2', 'running'],
        ],
      );

      const run = startLoad({
        port: h.httpPort,
        host: h.host(app),
        keepAliveClients: 8,
        newConnectionClients: 4,
        maxDurationMs: 180_000,
      });
      try {
        await new Promise((r) => setTimeout(r, 1000));
        await daemon.stopDaemon();
        // The engine is away for a while, as during a package upgrade; HAProxy keeps reaching the containers.
        const downAt = Date.now();
        await new Promise((r) => setTimeout(r, 1500));
        const upAt = Date.now();
        const answeredWhileDown = run.samples.filter((s) => s.ok && s.startedAt >= downAt && s.endedAt <= upAt).length;
        assert.ok(answeredWhileDown > 20, `requests were answered while dockerd was down (${answeredWhileDown})`);
        await daemon.startDaemon();
        await new Promise((r) => setTimeout(r, 1500));
      } finally {
        await run.stop();
      }
      const summary = summarize(run.samples);
      assert.ok(summary.total > 100, `too few requests (${summary.total})`);
      assert.deepEqual(
        { failed: summary.failed, non2xx: summary.non2xx, failures: summary.failures },
        { failed: 0, non2xx: 0, failures: [] },
        `${summary.total} requests`,
      );

      const afterRestart = await ps();
      assert.deepEqual(
        afterRestart.map((p) => [p.dyno, p.state, p.containerId]),
        before.map((p) => [p.dyno, 'running', p.containerId]),
        'live-restore kept the very same containers running',
      );

      // The supervisor reconnected to the new engine's event stream: a kill is seen as a die event and healed.
      const deadline = Date.now() + 30_000;
      while (!/the engine answers again/.test(h.serverLog) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      assert.match(h.serverLog, /lost the engine's event stream/);
      assert.match(h.serverLog, /the engine answers again/);
      daemon.docker('kill', before[0]!.containerId);
      const healedBy = Date.now() + 10_000;
      let last: Row[] = [];
      for (;;) {
        last = await ps();
        const serving = last.filter((p) => p.state === 'running' && p.router?.startsWith('UP'));
        if (serving.length === 2 && !serving.some((p) => p.containerId === before[0]!.containerId)) break;
        if (Date.now() > healedBy)
          assert.fail(`not healed within 10 s: ${JSON.stringify(last)}\n${h.serverLog.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.match(h.serverLog, /web\.1 died \(exit code 137\)/);
      assert.equal((await get(h.httpPort, h.host(app))).status, 200);
    },
  );
});
