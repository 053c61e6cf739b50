import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { Harness, ROOT, BASE_IMAGE, uniqueApp } from './harness.js';
import { startLoad, summarize, type LoadSample, type LoadRun } from './load.js';

const SLOW_APP = join(ROOT, 'test', 'e2e', 'fixtures', 'slow-app');
const PROCFILE_APP = join(ROOT, 'test', 'e2e', 'fixtures', 'procfile-app');

interface Event {
  type: string;
  stage?: string;
  label?: string;
  ms?: number;
  ok?: boolean;
  source?: string;
  text?: string;
}
interface ReleaseRow {
  version: number;
  status: string;
  current: boolean;
  description: string;
  configKeys: string[];
  createdBy: string;
  rollbackOf?: number;
  deployMs?: number;
}

function colorsSince(samples: LoadSample[], since: number): Set<string> {
  return new Set(
    samples
      .filter((s) => s.ok && s.startedAt >= since)
      .map((s) => String((JSON.parse(s.body!) as { color: string | null }).color)),
  );
}

function assertNoFailures(samples: LoadSample[], what: string): void {
  const summary = summarize(samples);
  assert.ok(summary.total > 30, `${what}: ${summary.total} requests`);
  assert.deepEqual(
    { failed: summary.failed, non2xx: summary.non2xx, failures: summary.failures },
    { failed: 0, non2xx: 0, failures: [] },
    what,
  );
}

describe('release lifecycle: rollback, blue-green, release phase, one-off runs, logs', () => {
  let h: Harness;
  const app = uniqueApp('life');
  const procApp = uniqueApp('proc');
  const reloadApp = uniqueApp('reload');
  const load = (host: string): LoadRun =>
    startLoad({ port: h.httpPort, host, keepAliveClients: 6, newConnectionClients: 3, maxDurationMs: 5 * 60_000 });
  const releases = async (name = app) =>
    JSON.parse((await h.ok('releases', '-a', name, '--json')).stdout) as ReleaseRow[];
  const json = async <T>(...argv: string[]) => JSON.parse((await h.ok(...argv, '--json')).stdout) as T;

  before(async () => {
    h = await Harness.create();
    await h.startServer();
    await h.ok('apps:create', app);
    await h.ok('apps:settings:set', '-a', app, 'healthcheck.path=/health', 'bluegreen.window=120000');
    await h.ok('config:set', '-a', app, 'COLOR=blue');
    await h.ok('deploy', '-a', app, SLOW_APP, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
    await h.ok('config:set', '-a', app, 'COLOR=green');
  });

  after(async () => {
    h.removeAppContainers(app, procApp);
    await h.destroy();
  });

  test(
    'rollback under load: zero failed requests; ' +
      'the old build and config answer afterwards; releases tell the story',
    async () => {
      const run = load(h.host(app));
      let done = 0;
      try {
        await h.ok('rollback', '-a', app);
        done = Date.now();
        await new Promise((r) => setTimeout(r, 600));
      } finally {
        await run.stop();
      }
      assertNoFailures(run.samples, 'rollback');
      assert.deepEqual([...colorsSince(run.samples, done)], ['blue']);
      const rows = await releases();
      assert.deepEqual(
        rows.map((r) => [r.version, r.current ? 'current' : r.status]),
        [
          [3, 'current'],
          [2, 'rolled back'],
          [1, 'succeeded'],
        ],
      );
      assert.equal(rows[0]!.description, 'Rollback to v1');
      assert.equal(rows[0]!.rollbackOf, 1);
      assert.deepEqual(rows[0]!.configKeys, ['COLOR']);
      assert.ok(rows[0]!.deployMs! > 0);
      assert.equal(rows[0]!.createdBy, 'admin', 'the authenticated identity, not a client-sent name');
      const text = (await h.ok('releases', '-a', app)).stdout;
      assert.doesNotMatch(text, /green|blue/, 'values never show in releases');
      const config = await json<Record<string, string>>('config', '-a', app);
      assert.equal(config['COLOR'], 'blue', 'config follows the rolled-back-to release');
    },
  );

  test('a failed release cannot be rolled back to; a second deploy while one runs is refused', async () => {
    await h.ok('apps:settings:set', '-a', app, 'healthcheck.attempts=6');
    const failed = await h.cli('config:set', '-a', app, 'NEVER_HEALTHY=1');
    assert.notEqual(failed.code, 0);
    const version = (await releases())[0]!.version;
    const refused = await h.cli('rollback', '-a', app, `v${version}`);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /failed; it cannot be rolled back to/);
    assert.match(refused.stderr, /hint: /);
    await h.ok('apps:settings:set', '-a', app, 'healthcheck.attempts=60', 'drain.timeout=3000');
    const first = h.cli('config:set', '-a', app, 'SLOW_DRAIN=1');
    await new Promise((r) => setTimeout(r, 400));
    const second = await h.cli('config:set', '-a', app, 'OTHER=1');
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, /deployment in progress/);
    assert.equal((await first).code, 0);
  });

  test(
    'blue-green: the whole new set goes live at once ' +
      'under load, and a rollback inside the window is an instant switch',
    async () => {
      await h.ok('ps:scale', '-a', app, 'web=2');
      await h.ok('apps:settings:set', '-a', app, 'deploy.strategy=blue-green');
      const run = load(h.host(app));
      let deployEvents: Event[] = [];
      let rollbackEvents: Event[] = [];
      let afterDeploy = 0;
      let afterRollback = 0;
      let rollbackStarted = 0;
      try {
        deployEvents = (
          JSON.parse((await h.ok('config:set', '-a', app, 'COLOR=red', '--json')).stdout) as { events: Event[] }
        ).events;
        afterDeploy = Date.now();
        await new Promise((r) => setTimeout(r, 600));
        // A new app reloads HAProxy: the warm (maint) set must survive it for the rollback to stay instant.
        await h.ok('apps:create', reloadApp);
        const warm = await json<{ routerServers: { status: string }[] }>('ps', '-a', app);
        assert.equal(
          warm.routerServers.filter((s) => s.status.startsWith('MAINT')).length,
          2,
          `warm set still in HAProxy after a reload: ${JSON.stringify(warm.routerServers)}`,
        );
        rollbackStarted = Date.now();
        rollbackEvents = (JSON.parse((await h.ok('rollback', '-a', app, '--json')).stdout) as { events: Event[] })
          .events;
        afterRollback = Date.now();
        await new Promise((r) => setTimeout(r, 600));
      } finally {
        await run.stop();
      }
      assertNoFailures(run.samples, 'blue-green deploy + instant rollback');
      assert.deepEqual(
        [
          ...colorsSince(
            run.samples.filter((s) => s.startedAt < rollbackStarted),
            afterDeploy,
          ),
        ],
        ['red'],
      );
      assert.deepEqual([...colorsSince(run.samples, afterRollback)], ['blue']);
      const switchOf = (events: Event[]) =>
        events.find((e) => e.type === 'stage-end' && e.label?.startsWith('switch all traffic'));
      const deploySwitch = switchOf(deployEvents);
      const rollbackSwitch = switchOf(rollbackEvents);
      assert.ok(deploySwitch && rollbackSwitch, 'both switches are in the deploy log');
      // The new set was fully started and staged before the switch.
      const startsBefore = deployEvents
        .slice(0, deployEvents.indexOf(deploySwitch!))
        .filter((e) => e.type === 'stage-end' && e.stage === 'start');
      assert.equal(startsBefore.length, 2);
      assert.equal(
        rollbackEvents.filter((e) => e.type === 'stage-start' && e.stage === 'start').length,
        0,
        'the instant rollback starts no container',
      );
      assert.ok(rollbackEvents.some((e) => e.type === 'info' && /is warm/.test(e.text ?? '')));
      process.stderr.write(
        `# blue-green switch ${deploySwitch!.ms} ms, instant rollback switch ${rollbackSwitch!.ms} ms\n`,
      );
      const ps = await json<{ processes: { release: string; router?: string; state: string }[] }>('ps', '-a', app);
      assert.equal(
        ps.processes.filter((p) => p.router?.startsWith('MAINT')).length,
        2,
        'the previous set is warm (running, out of rotation)',
      );
    },
  );

  test('a warm set retires when its window ends', async () => {
    await h.ok('apps:settings:set', '-a', app, 'bluegreen.window=500');
    await h.ok('config:set', '-a', app, 'COLOR=yellow');
    const deadline = Date.now() + 20_000;
    let ps: { processes: { release: string }[] } = { processes: [] };
    while (Date.now() < deadline) {
      ps = await json('ps', '-a', app);
      if (ps.processes.length === 2) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const current = (await releases()).find((r) => r.current)!.version;
    assert.deepEqual(
      ps.processes.map((p) => p.release),
      [`v${current}`, `v${current}`],
    );
    await h.ok('apps:settings:set', '-a', app, 'deploy.strategy=rolling');
    await h.ok('ps:scale', '-a', app, 'web=1');
  });

  test('ps:restart replaces every container under load without a failed request', async () => {
    const before = await json<{ processes: { containerId: string }[] }>('ps', '-a', app);
    const run = load(h.host(app));
    try {
      await h.ok('ps:restart', '-a', app);
    } finally {
      await run.stop();
    }
    assertNoFailures(run.samples, 'restart');
    const after = await json<{ processes: { containerId: string }[] }>('ps', '-a', app);
    assert.equal(after.processes.length, before.processes.length);
    assert.ok(after.processes.every((p) => !before.processes.some((b) => b.containerId === p.containerId)));
  });

  test('logs outlive deploys: lines of removed containers of earlier releases are still shown', async () => {
    const lines = (await h.ok('logs', '-a', app, '-n', '2000', '--json')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { release: string; dyno: string; text: string });
    assert.ok(
      lines.some((l) => l.release === 'v1' && /listening/.test(l.text)),
      'v1 logs kept after its containers were removed',
    );
    assert.ok(lines.every((l) => /^web\.\d+$/.test(l.dyno)));
  });

  test('logs -f follows across a deploy without reconnecting, with the first lines of the new containers', async () => {
    // -n 1: the one backlog line shows that the follower is connected before the deploy starts.
    const follower = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'logs', '-a', app, '-f', '-n', '1'],
      { env: h.env, cwd: ROOT },
    );
    let output = '';
    follower.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const waitFor = async (pattern: RegExp, what: string) => {
      const deadline = Date.now() + 30_000;
      while (!pattern.test(output)) {
        if (Date.now() > deadline || follower.exitCode !== null)
          assert.fail(`logs -f: no ${what} (exit ${follower.exitCode}):\n${output.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await waitFor(/\n/, 'backlog line');
      await h.ok('config:set', '-a', app, 'FOLLOW=1');
      const version = (await releases()).find((r) => r.current)!.version;
      // The container's first line, written as soon as it listens (before it was ever routed).
      await waitFor(
        new RegExp(`\\[web\\.1\\] v${version}: slow-app v${version} listening`),
        `first line of v${version}`,
      );
      assert.equal(follower.exitCode, null, 'the same logs -f process is still following');
    } finally {
      follower.kill('SIGINT');
    }
  });

  test('release phase: runs exactly once before traffic moves; a failing one switches nothing', async () => {
    await h.ok('apps:create', procApp);
    const deploy = JSON.parse(
      (await h.ok('deploy', '-a', procApp, PROCFILE_APP, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '--json')).stdout,
    ) as { events: Event[] };
    const outputs = deploy.events.filter(
      (e) => e.type === 'output' && e.source === 'release' && /RELEASE PHASE/.test(e.text ?? ''),
    );
    assert.equal(outputs.length, 1, 'exactly once');
    const releaseAt = deploy.events.indexOf(outputs[0]!);
    const firstRoute = deploy.events.findIndex((e) => e.type === 'stage-start' && e.stage === 'route');
    assert.ok(releaseAt >= 0 && firstRoute > releaseAt, 'before the first container is routed');
    await h.ok('ps:scale', '-a', procApp, 'worker=1');
    const ps = await json<{ processes: { dyno: string; state: string }[] }>('ps', '-a', procApp);
    assert.deepEqual(
      ps.processes.map((p) => [p.dyno, p.state]),
      [
        ['web.1', 'running'],
        ['worker.1', 'running'],
      ],
    );

    const run = load(h.host(procApp));
    let failed;
    try {
      failed = await h.cli('config:set', '-a', procApp, 'RELEASE_EXIT=3');
    } finally {
      await run.stop();
    }
    assertNoFailures(run.samples, 'failing release phase');
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /release command exited with code 3/);
    const rows = await releases(procApp);
    assert.equal(rows[0]!.status, 'failed');
    assert.ok(
      run.samples.every((s) => (JSON.parse(s.body!) as { release: string }).release === 'v1'),
      'nothing switched',
    );
  });

  test('run: output, exit code and config are right, and nothing is left behind', async () => {
    const out = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src', 'cli', 'bin.ts'),
        'run',
        '-a',
        app,
        '--',
        'sh',
        '-c',
        'echo "color=$COLOR"; echo oops >&2; exit 7',
      ],
      { env: h.env, cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(out.status, 7);
    assert.match(out.stdout, /color=yellow/);
    assert.match(out.stderr, /oops/);
    const older = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src', 'cli', 'bin.ts'),
        'run',
        '-a',
        app,
        '--release',
        'v2',
        '--',
        'sh',
        '-c',
        'echo "color=$COLOR"',
      ],
      { env: h.env, cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(older.status, 0);
    assert.match(older.stdout, /color=green/, '--release runs an older release with its config');
    const interactive = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src', 'cli', 'bin.ts'),
        'run',
        '-i',
        '-a',
        app,
        '--',
        'sh',
        '-c',
        'read line; echo "got $line"; exit 3',
      ],
      { env: h.env, cwd: ROOT, encoding: 'utf8', input: 'hello\n', timeout: 60_000 },
    );
    assert.equal(interactive.status, 3, interactive.stderr);
    assert.match(interactive.stdout, /got hello/);
    const left = execFileSync(
      'docker',
      ['ps', '-aq', '--filter', `label=slipway.app=${app}`, '--filter', 'label=slipway.process=run'],
      { encoding: 'utf8' },
    ).trim();
    assert.equal(left, '', 'one-off containers are removed');
  });
});
