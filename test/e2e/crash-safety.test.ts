import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Harness, ROOT, BASE_IMAGE, uniqueApp } from './harness.js';
import { startLoad, summarize } from './load.js';

const SLOW_APP = join(ROOT, 'test', 'e2e', 'fixtures', 'slow-app');

interface Ps {
  processes: { dyno: string; release: string; state: string; router?: string; containerId: string }[];
  routerServers: { name: string; status: string }[];
}

/** kill -9 of the control plane in the middle of a rollout, under load. */
describe('crash safety: the server killed at any point of a rollout completes or reverts it on restart', () => {
  let h: Harness;
  const app = uniqueApp('crash');

  before(async () => {
    h = await Harness.create();
    await h.startServer();
    await h.ok('apps:create', app);
    await h.ok('apps:settings:set', '-a', app, 'healthcheck.path=/health');
    await h.ok('deploy', '-a', app, SLOW_APP, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
    await h.ok('ps:scale', '-a', app, 'web=2');
  });

  after(async () => {
    h.removeAppContainers(app);
    await h.destroy();
  });

  for (const point of ['after-start:1', 'after-route-add:1', 'after-drain:1', 'after-route-add:2']) {
    test(
      `killed ${point.replace(':', ' #')}: zero failed requests, ` +
        'and afterwards one current release with containers and HAProxy servers matching it',
      async () => {
        const releasesBefore = JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as {
          version: number;
          current: boolean;
        }[];
        const current = releasesBefore.find((r) => r.current)!.version;
        await h.stopServer();
        await h.startServer({ SLIPWAY_FAILPOINT: point });
        const run = startLoad({
          port: h.httpPort,
          host: h.host(app),
          keepAliveClients: 8,
          newConnectionClients: 4,
          maxDurationMs: 120_000,
        });
        try {
          const crashed = await h.cli('config:set', '-a', app, `CRASH_POINT=${point}`);
          assert.notEqual(crashed.code, 0, 'the deploy did not finish: the server died');
          await new Promise((r) => setTimeout(r, 1000)); // HAProxy alone keeps serving meanwhile
          await h.startServer();
        } finally {
          await new Promise((r) => setTimeout(r, 1000));
          await run.stop();
        }
        const summary = summarize(run.samples);
        assert.ok(summary.total > 50);
        assert.deepEqual(
          { failed: summary.failed, non2xx: summary.non2xx, failures: summary.failures },
          { failed: 0, non2xx: 0, failures: [] },
        );

        const releases = JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as {
          version: number;
          current: boolean;
          status: string;
        }[];
        assert.deepEqual(
          releases.filter((r) => r.current).map((r) => r.version),
          [current],
          'one current release: the one before the crash',
        );
        assert.equal(releases[0]!.status, 'failed', 'the interrupted release is marked failed');
        const ps = JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as Ps;
        assert.deepEqual(
          ps.processes.map((p) => [p.dyno, p.release, p.state]),
          [
            ['web.1', `v${current}`, 'running'],
            ['web.2', `v${current}`, 'running'],
          ],
          'no orphaned container',
        );
        assert.equal(
          ps.routerServers.length,
          2,
          `HAProxy has exactly the two servers: ${JSON.stringify(ps.routerServers)}`,
        );
        for (const server of ps.routerServers) {
          assert.ok(
            ps.processes.some((p) => server.name.endsWith(p.containerId)),
            `${server.name} points at a live container`,
          );
          assert.match(server.status, /^UP/);
        }
        // The lock was freed by recovery: the next deploy goes through.
        await h.ok('config:set', '-a', app, `AFTER=${point}`);
      },
    );
  }
});
