import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Harness, get, uniqueApp } from './harness.js';
import { assertClean, startLoad } from './load.js';

interface Row {
  dyno: string;
  release: string;
  state: string;
  router?: string;
  containerId: string;
  restarts?: number;
  containerState?: string;
  crash?: { crashes: number; loop: boolean; lastExitCode?: number; nextRestartAt?: string; note: string };
}

interface Deployment {
  id: number;
  kind: string;
  status: string;
  error?: { code: string; message: string };
}

/**
 * Polls `check` every 200 ms until it returns a value, for at most `ms`; the last seen state goes into the failure
 * message.
 */
async function within<T>(
  ms: number,
  what: string,
  check: () => Promise<T | undefined>,
  seen: () => unknown = () => '',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      assert.fail(`${what} did not happen within ${ms} ms; last seen: ${JSON.stringify(seen())}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A killed or crashed container is restarted by the supervisor: under load, with one of several or the only container.
 */
describe('apps stay up: crashed and killed containers are restarted (real Docker, real HAProxy)', () => {
  let h: Harness;
  const app = uniqueApp('heal');

  const ps = async (): Promise<Row[]> =>
    (JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as { processes: Row[] }).processes;
  const deployments = async (): Promise<Deployment[]> =>
    (await h.api<{ deployments: Deployment[] }>(`/v1/apps/${app}/deployments`)).deployments;

  before(async () => {
    h = await Harness.create();
    await h.startServer();
    await h.deploySlowApp(app, 3);
  });

  after(async () => {
    h.removeAppContainers(app); // and the images Slipway built for it
    await h.destroy();
  });

  test(
    'docker kill of one of three web containers under load: ' +
      'no failed request, three serving again within 10 s, journaled as a heal',
    async (t) => {
      const before = await ps();
      const victim = before.find((p) => p.dyno === 'web.2')!;
      const run = startLoad({
        port: h.httpPort,
        host: h.host(app),
        keepAliveClients: 8,
        newConnectionClients: 4,
        maxDurationMs: 120_000,
      });
      let healedMs = 0;
      try {
        await new Promise((r) => setTimeout(r, 1000));
        const killedAt = Date.now();
        execFileSync('docker', ['kill', victim.containerId], { stdio: 'ignore' });
        let last: Row[] = [];
        await within(
          10_000,
          'three web containers serving again',
          async () => {
            last = await ps();
            const serving = last.filter((p) => p.state === 'running' && p.router?.startsWith('UP'));
            return serving.length === 3 && !serving.some((p) => p.containerId === victim.containerId)
              ? true
              : undefined;
          },
          () => last,
        );
        healedMs = Date.now() - killedAt;
        t.diagnostic(`three serving again ${healedMs} ms after the kill`);
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        await run.stop();
      }
      assertClean(run.samples, 'kill 1 of 3');
      t.diagnostic(
        `slowest request: ${Math.max(...run.samples.map((x) => x.endedAt - x.startedAt))} ms of ${run.samples.length}`,
      );
      const after = await ps();
      assert.deepEqual(
        after.map((p) => [p.dyno, p.state]),
        [
          ['web.1', 'running'],
          ['web.2', 'running'],
          ['web.3', 'running'],
        ],
        'the same dyno came back, and the dead container was removed',
      );
      assert.equal(after.find((p) => p.dyno === 'web.2')!.restarts, 1);
      const heal = (await deployments()).find((d) => d.kind === 'heal');
      assert.equal(heal?.status, 'succeeded', JSON.stringify(heal));
      const { events } = await h.api<{ events: { type: string; text?: string }[] }>(
        `/v1/apps/${app}/deployments/${heal!.id}/events`,
      );
      assert.ok(
        events.some((e) => e.type === 'info' && /web\.2 crashed \(last exit code 137\)/.test(e.text ?? '')),
        JSON.stringify(events),
      );
      assert.match(h.serverLog, /web\.2 died \(exit code 137\); web-2-\w+ is out of rotation/);
      assert.ok(healedMs <= 10_000, `healed in ${healedMs} ms`);
    },
  );

  test('docker kill of the only web container: the app serves again within 10 s', async (t) => {
    await h.ok('ps:scale', '-a', app, 'web=1');
    const [only] = await ps();
    const killedAt = Date.now();
    execFileSync('docker', ['kill', only!.containerId], { stdio: 'ignore' });
    let last: Row[] = [];
    await within(
      10_000,
      'a new web.1 serving',
      async () => {
        last = await ps();
        return last.length === 1 && last[0]!.containerId !== only!.containerId && last[0]!.router?.startsWith('UP')
          ? true
          : undefined;
      },
      () => last,
    );
    const res = await get(h.httpPort, h.host(app));
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { dyno: string }).dyno, 'web.1');
    t.diagnostic(`serving again ${Date.now() - killedAt} ms after the kill`);
  });

  test('a container removed from outside (docker rm -f) is replaced, and its HAProxy server goes with it', async () => {
    const [only] = await ps();
    execFileSync('docker', ['rm', '-f', only!.containerId], { stdio: 'ignore' });
    let body: { processes: Row[]; routerServers: { name: string; status: string }[] } = {
      processes: [],
      routerServers: [],
    };
    await within(
      10_000,
      'one new web.1 and exactly its server in HAProxy',
      async () => {
        body = JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as typeof body;
        const [p] = body.processes;
        const servers = body.routerServers;
        return body.processes.length === 1 &&
          p!.containerId !== only!.containerId &&
          servers.length === 1 &&
          servers[0]!.status.startsWith('UP') &&
          servers[0]!.name.endsWith(p!.containerId)
          ? true
          : undefined;
      },
      () => body,
    );
  });

  test(
    'a container that died while the server was ' + 'down is replaced at start-up (no event needed: level-triggered)',
    async () => {
      // The previous test's heal may still be finishing after its container shows UP: a server stopped in the
      // middle of a heal takes the container that heal started with it.
      await within(20_000, 'no deployment of the app still running', async () =>
        (await deployments()).every((d) => d.status !== 'running') ? true : undefined,
      );
      const [only] = await ps();
      await h.stopServer();
      execFileSync('docker', ['kill', only!.containerId], { stdio: 'ignore' });
      await h.startServer();
      let last: Row[] = [];
      await within(
        10_000,
        'a new web.1 serving after the restart',
        async () => {
          last = await ps();
          return last.length === 1 && last[0]!.containerId !== only!.containerId && last[0]!.router?.startsWith('UP')
            ? true
            : undefined;
        },
        () => last,
      );
      assert.match(h.serverLog, /web\.1 crashed \(last exit code 137\)/);
    },
  );

  test(
    'an app that keeps exiting is a crash loop in ps ' +
      '--json, the deploy log and the server log; a fixed release starts clean',
    async () => {
      await h.ok('config:set', '-a', app, 'EXIT_AFTER_MS=4000', 'EXIT_CODE=3');
      let rows: Row[] = [];
      const looping = await within(
        60_000,
        'a crash loop in ps',
        async () => {
          rows = await ps();
          return rows.find((p) => p.dyno === 'web.1' && p.crash?.loop);
        },
        () => rows,
      );
      assert.equal(looping.state, 'crashed');
      assert.equal(looping.crash!.lastExitCode, 3);
      assert.ok(looping.crash!.crashes >= 3, JSON.stringify(looping));
      assert.ok(looping.restarts! >= 2, JSON.stringify(looping));
      assert.ok(looping.crash!.nextRestartAt, 'it says when it restarts next');
      assert.match(looping.crash!.note, /crashed \d+ times in \d+ s \(last exit code 3\): crash loop/);
      const ps1 = await h.ok('ps', '-a', app);
      assert.match(ps1.stdout, /crash loop \(exit 3\)|crashed \(exit 3\)|restarting/, ps1.stdout);
      const failed = (await deployments()).find((d) => d.kind === 'heal' && d.status === 'failed');
      assert.equal(failed?.error?.code, 'CONTAINER_FAILED');
      assert.match(failed!.error!.message, /crash loop/);
      assert.match(h.serverLog, /web\.1 crashed \d+ times in \d+ s \(last exit code 3\): crash loop, next restart in/);

      // A fix is a new release: it waits for a heal in progress (never DEPLOY_IN_PROGRESS) and starts with a clean
      // slate.
      await h.ok('config:unset', '-a', app, 'EXIT_AFTER_MS', 'EXIT_CODE');
      const fixed = await ps();
      assert.deepEqual(
        fixed.map((p) => [p.dyno, p.state, p.restarts ?? 0, p.crash]),
        [['web.1', 'running', 0, undefined]],
      );
      assert.equal((await get(h.httpPort, h.host(app))).status, 200);
    },
  );

  test(
    'a release whose container exits at once fails right away as ' +
      '"web.1 exited with code N" with its last lines; the old release keeps serving',
    async () => {
      const before = JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as {
        version: number;
        current: boolean;
      }[];
      const current = before.find((r) => r.current)!.version;
      const result = await h.cli('config:set', '-a', app, 'EXIT_AFTER_MS=1', 'EXIT_CODE=7');
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /web\.1 exited with code 7/);
      assert.match(result.stderr, /exiting on purpose after 1 ms/, 'its last log lines are shown');
      assert.doesNotMatch(result.stderr, /Slipway bug|never became healthy|did not report/);
      const after = JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as {
        version: number;
        current: boolean;
        status: string;
      }[];
      assert.equal(after.find((r) => r.current)!.version, current);
      assert.equal(after[0]!.status, 'failed');
      assert.equal((await get(h.httpPort, h.host(app))).status, 200);
      assert.deepEqual(
        (await ps()).map((p) => [p.dyno, p.state]),
        [['web.1', 'running']],
        'the failed container is gone and nothing is marked crashed',
      );
    },
  );
});
