import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, BASE_IMAGE, get, uniqueApp } from './harness.js';

/**
 * The app of these tests answers Slipway's own probe (user-agent slipway-healthcheck) at once, but HAProxy's health
 * checks only HOLD_ROUTER_CHECKS_MS after its start: every new container spends that long in the `wait-up` step
 * (probed healthy, in HAProxy, not yet UP). That is the window in which the server is stopped.
 */
const HOLD_MS = 6000;
const SERVER_JS = `
const http = require('node:http');
const os = require('node:os');
const started = Date.now();
const hold = Number(process.env.HOLD_ROUTER_CHECKS_MS || 0);
http
  .createServer((req, res) => {
    const fromRouter = req.headers['user-agent'] !== 'slipway-healthcheck';
    if (req.url === '/health' && fromRouter && Date.now() - started < hold) {
      res.writeHead(503);
      return res.end('held');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ release: process.env.SLIPWAY_RELEASE, dyno: process.env.DYNO, host: os.hostname() }));
  })
  .listen(Number(process.env.PORT || 5000));
process.on('SIGTERM', () => process.exit(0));
`;
const DOCKERFILE = `ARG BASE_IMAGE=node:20-bookworm-slim
FROM \${BASE_IMAGE}
WORKDIR /app
COPY server.js ./
ENV HOLD_ROUTER_CHECKS_MS=${HOLD_MS}
USER nobody
CMD ["node", "server.js"]
`;

interface Row {
  dyno: string;
  release: string;
  state: string;
  router?: string;
  containerId: string;
}

interface Deployment {
  id: number;
  kind: string;
  release: number;
  status: string;
  error?: { code: string; message: string };
}

type Event = { type: string; stage?: string; label?: string; text?: string };

/** Polls `check` every 200 ms until it returns a value, for at most `ms`; the last seen state goes into the failure. */
async function within<T>(
  ms: number,
  what: string,
  check: () => Promise<T | undefined>,
  seen: () => unknown = () => '',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      assert.fail(`${what} did not happen within ${ms} ms; last seen: ${JSON.stringify(seen())}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every container of the app, as Docker sees it. */
function containersOf(app: string): { id: string; state: string; dyno: string; release: string }[] {
  const out = execFileSync(
    'docker',
    [
      'ps',
      '-a',
      '--no-trunc',
      '--filter',
      `label=slipway.app=${app}`,
      '--format',
      '{{.ID}} {{.State}} {{.Label "slipway.process"}}.{{.Label "slipway.index"}} {{.Label "slipway.release"}}',
    ],
    { encoding: 'utf8' },
  );
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, state, dyno, release] = line.split(' ');
      return { id: id!, state: state!, dyno: dyno!, release: release! };
    });
}

function running(id: string): boolean {
  try {
    return execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', id], { encoding: 'utf8' }).trim() === 'true';
  } catch {
    return false; // removed
  }
}

describe('a server stopped gracefully in the middle of a heal or a deploy (real Docker, real HAProxy)', () => {
  let h: Harness;
  const app = uniqueApp('hstop');
  const dir = mkdtempSync(join(tmpdir(), 'slipway-hold-app-'));

  const status = async () =>
    JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as {
      processes: Row[];
      routerServers: { name: string; status: string }[];
    };
  const deployments = async (): Promise<Deployment[]> =>
    (await h.api<{ deployments: Deployment[] }>(`/v1/apps/${app}/deployments`)).deployments;
  const events = async (id: number): Promise<Event[]> =>
    (await h.api<{ events: Event[] }>(`/v1/apps/${app}/deployments/${id}/events`)).events;
  /** The running deployment of `kind` whose `wait-up` step has begun and not ended (its container is not UP yet). */
  const inWaitUp = async (kind: string): Promise<Deployment | undefined> => {
    const d = (await deployments()).find((x) => x.kind === kind && x.status === 'running');
    if (!d) return undefined;
    const healthy = (await events(d.id)).filter((e) => e.stage === 'healthy');
    const open =
      healthy.filter((e) => e.type === 'stage-start').length > healthy.filter((e) => e.type === 'stage-end').length;
    return open ? d : undefined;
  };

  /**
   * Settled: exactly `web` web containers exist (nothing dead, no duplicate), all of release `release`, each UP in
   * HAProxy with exactly their servers there, and no deployment running.
   */
  const settled = async (web: number, release: string) => {
    let last: unknown;
    const value = await within(
      90_000,
      `${web} web containers of ${release}, each UP in HAProxy, nothing else left`,
      async () => {
        const s = await status();
        const docker = containersOf(app);
        const running = (await deployments()).filter((d) => d.status === 'running');
        last = { ps: s, docker, running };
        const ids = docker.map((c) => c.id);
        const ok =
          docker.length === web &&
          docker.every((c) => c.state === 'running' && c.release === release) &&
          new Set(docker.map((c) => c.dyno)).size === web &&
          s.processes.length === web &&
          s.processes.every((p) => p.state === 'running' && p.router?.startsWith('UP')) &&
          s.routerServers.length === web &&
          s.routerServers.every(
            (r) => r.status.startsWith('UP') && ids.some((id) => r.name.endsWith(id.slice(0, 12))),
          ) &&
          running.length === 0;
        return ok ? s : undefined;
      },
      () => last,
    );
    const res = await get(h.httpPort, h.host(app));
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { release: string }).release, release);
    return value;
  };

  before(async () => {
    writeFileSync(join(dir, 'server.js'), SERVER_JS);
    writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
    h = await Harness.create();
    await h.startServer();
    await h.ok('apps:create', app);
    await h.ok('apps:settings:set', '-a', app, 'healthcheck.path=/health');
    await h.ok('deploy', '-a', app, dir, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
    await h.ok('ps:scale', '-a', app, 'web=2');
    await settled(2, 'v1');
  });

  after(async () => {
    h.removeAppContainers(app); // and the images Slipway built for it
    await h.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test(
    'SIGTERM while a heal waits for HAProxy to report its new container UP: the container is not killed, ' +
      'and after the next start the formation is whole with it (no second restart, no duplicate)',
    async () => {
      const before = (await status()).processes;
      const victim = before.find((p) => p.dyno === 'web.1')!;
      const other = before.find((p) => p.dyno === 'web.2')!;
      execFileSync('docker', ['kill', victim.containerId], { stdio: 'ignore' });

      let seen: unknown;
      const { heal, healed } = await within(
        60_000,
        "a heal in its wait-up step with web.1's new container running",
        async () => {
          const heal = await inWaitUp('heal');
          const fresh = containersOf(app).filter(
            (c) => c.dyno === 'web.1' && c.state === 'running' && !c.id.startsWith(victim.containerId),
          );
          seen = { heal, fresh };
          return heal && fresh.length === 1 ? { heal, healed: fresh[0]!.id } : undefined;
        },
        () => seen,
      );
      await h.stopServer();

      assert.ok(running(healed), 'the container the interrupted heal started still runs after the graceful stop');
      assert.ok(running(other.containerId), 'web.2 was never touched');

      await h.startServer();
      const after = await settled(2, 'v1');
      assert.deepEqual(
        after.processes.map((p) => [p.dyno, p.containerId]).sort(),
        [
          ['web.1', healed.slice(0, 12)],
          ['web.2', other.containerId],
        ].sort(),
        'the recovery adopted the container the interrupted heal had started',
      );
      const interrupted = (await deployments()).find((d) => d.id === heal.id);
      assert.equal(interrupted?.status, 'failed', JSON.stringify(interrupted));
      assert.equal(interrupted?.error?.code, 'ABORTED', 'an interrupted heal, not a failed health check');
      assert.match(h.serverLog, /heal #\d+ interrupted/);
      assert.doesNotMatch(h.serverLog, /restarting web\.1 failed/, 'the interruption is not counted as a crash');
    },
  );

  test(
    'SIGTERM while a deploy waits for its new container to be UP: after the next start the app is back on ' +
      'its current release, whole, and the new container is gone',
    async (t) => {
      // On its own too (the previous test may have failed with the server stopped).
      if (h.server?.exitCode !== null || h.server.signalCode !== null) await h.startServer();
      const before = (await settled(2, 'v1')).processes;
      const deploying = h.cli('config:set', '-a', app, 'SOMETHING=new');
      let seen: unknown;
      await within(
        60_000,
        'a deploy of v2 in its wait-up step',
        async () => {
          const d = await inWaitUp('deploy');
          const fresh = containersOf(app).filter((c) => c.release === 'v2' && c.state === 'running');
          seen = { d, fresh };
          return d && d.release === 2 && fresh.length === 1 ? d : undefined;
        },
        () => seen,
      );
      await h.stopServer();
      const result = await deploying;
      assert.notEqual(result.code, 0, 'the deploy did not succeed');

      await h.startServer();
      const after = await settled(2, 'v1');
      assert.deepEqual(
        after.processes.map((p) => p.containerId).sort(),
        before.map((p) => p.containerId).sort(),
        "v1's containers kept serving throughout",
      );
      const releases = JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as {
        version: number;
        current: boolean;
        status: string;
      }[];
      assert.equal(releases.find((r) => r.current)?.version, 1);
      assert.equal(releases.find((r) => r.version === 2)?.status, 'failed');
      const deploy = (await deployments()).find((d) => d.kind === 'deploy' && d.release === 2);
      assert.equal(deploy?.status, 'failed');
      assert.equal(deploy?.error?.code, 'ABORTED', JSON.stringify(deploy));
      t.diagnostic(deploy!.error!.message);
    },
  );
});
