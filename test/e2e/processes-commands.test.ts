import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { Harness, ROOT, BASE_IMAGE, get, uniqueApp } from './harness.js';
import { startLoad } from './load.js';

const PROCFILE_APP = join(ROOT, 'test', 'e2e', 'fixtures', 'procfile-app');
const CLI = join(ROOT, 'src', 'cli', 'bin.ts');

interface Row {
  dyno: string;
  state: string;
  containerId: string;
  router?: string;
  oneOff?: string;
  exitCode?: number;
  held?: { mode: string; note: string };
  crash?: { lastExitCode?: number };
}

async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

/**
 * Runs a program without blocking the event loop (a long spawnSync would leave the in-process CLI's
 * pooled keep-alive socket looking alive after the server closed it).
 */
function exec(
  file: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; input?: string },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * The commands people use on running apps every day, against real Docker and HAProxy: a command in a
 * running container (ps:exec, -i), a one-off that runs on after the CLI returns (run --detach), a
 * process type stopped and started again (web drained first), and restart modes the supervisor keeps.
 */
describe('everyday process commands (real Docker, real HAProxy)', () => {
  let h: Harness;
  const app = uniqueApp('procs');
  const ps = async (): Promise<{ processes: Row[]; formation: Record<string, number> }> =>
    JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as {
      processes: Row[];
      formation: Record<string, number>;
    };
  const row = async (dyno: string) => (await ps()).processes.find((p) => p.dyno === dyno);
  const cli = (args: string[], input?: string) =>
    exec(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: h.env,
      ...(input === undefined ? {} : { input }),
    });

  before(async () => {
    h = await Harness.create();
    await h.startServer();
    await h.ok('apps:create', app);
    await h.ok('deploy', '-a', app, PROCFILE_APP, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
    await h.ok('ps:scale', '-a', app, 'worker=1');
  });

  after(async () => {
    h.removeAppContainers(app);
    await h.destroy();
  });

  test('ps:exec: web.1 by default or a named process, its exit code; other homes out of reach', async () => {
    const web = await cli([
      'ps:exec',
      '-a',
      app,
      '--',
      'sh',
      '-c',
      'echo "in $DYNO of $SLIPWAY_APP"; echo oops >&2; exit 3',
    ]);
    assert.equal(web.status, 3, web.stderr);
    assert.equal(web.stdout, `in web.1 of ${app}\n`, "the container's own environment");
    assert.equal(web.stderr, 'oops\n');
    const worker = await cli(['ps:exec', '-a', app, 'worker.1', '--', 'sh', '-c', 'echo $DYNO']);
    assert.equal(worker.status, 0, worker.stderr);
    assert.equal(worker.stdout, 'worker.1\n');

    // A container with this app's labels but of no Slipway home (or another one) is not one of its processes.
    const foreign = docker(
      'run',
      '-d',
      '--label',
      `slipway.app=${app}`,
      '--label',
      'slipway.managed=true',
      '--label',
      'slipway.process=web',
      '--label',
      'slipway.index=7',
      '--label',
      'slipway.release=v1',
      'slipway/debian:bookworm',
      'sleep',
      '300',
    );
    try {
      const out = await cli(['ps:exec', '-a', app, 'web.7', '--', 'true']);
      assert.notEqual(out.status, 0);
      assert.match(out.stderr, /has no running process web\.7/);
      assert.match(out.stderr, /running: web\.1, worker\.1/);
    } finally {
      docker('rm', '-f', foreign);
    }
    const bad = await cli(['ps:exec', '-a', app, '../web.1', '--', 'true']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /is not a process name[\s\S]*hint: name a process like web\.1/);
    const none = await cli(['ps:exec', '-a', app, 'web.1']);
    assert.notEqual(none.status, 0);
    assert.match(none.stderr, /no command to run/);
  });

  test('ps:exec -i: stdin, output, framed exit code; a TTY; a client that leaves ends the command', async () => {
    const piped = await cli(
      ['ps:exec', '-i', '-a', app, 'worker.1', '--', 'sh', '-c', 'read l; echo "got $l in $DYNO"; exit 4'],
      'hello\n',
    );
    assert.equal(piped.status, 4, piped.stderr);
    assert.equal(piped.stdout, 'got hello in worker.1\n');

    const command =
      `${process.execPath} --import tsx ${CLI} ps:exec -i -a ${app} -- ` + `sh -c 'tty; read l; echo "got $l"; exit 5'`;
    const tty = await exec('script', ['-q', '-e', '-c', command, '/dev/null'], { env: h.env, input: 'hi\n' });
    assert.equal(tty.status, 5, tty.stdout + tty.stderr);
    assert.match(tty.stdout, /\/dev\/pts\/\d+/, 'the command has a terminal');
    assert.match(tty.stdout, /got hi/);

    const webId = (await row('web.1'))!.containerId;
    const sleeping = () => docker('top', webId).includes('sleep 4242');
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'ps:exec', '-i', '-a', app, '--', 'sleep', '4242'], {
      env: h.env,
      cwd: ROOT,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    try {
      await eventually('the command to run in web.1', sleeping);
    } finally {
      child.kill('SIGKILL');
    }
    await eventually('the command to end once its client left', () => !sleeping(), 15_000);
  });

  test('run --detach: its name, listed by ps, output and exit in logs, then removed; ps:stop one', async () => {
    const nonce = Math.random().toString(36).slice(2, 8);
    const started = await h.ok(
      'run',
      '--detach',
      '-a',
      app,
      '--',
      'sh',
      '-c',
      `echo "begin ${nonce} $DYNO"; sleep 3; echo "end ${nonce}"; exit 7`,
    );
    const dyno = started.stdout.trim();
    assert.match(dyno, /^run\.[0-9a-f]{6}$/);
    const listed = (await ps()).processes.find((p) => p.dyno === dyno);
    assert.deepEqual([listed?.state, listed?.oneOff], ['running', 'detached'], 'ps lists the running one-off');
    const containers = () =>
      docker('ps', '-aq', '--filter', `label=slipway.app=${app}`, '--filter', `label=slipway.index=${dyno.slice(4)}`);
    await eventually('the finished one-off to be removed', () => containers() === '');
    const logs = (await h.ok('logs', '-a', app, '--ps', 'run', '-n', '1000')).stdout;
    assert.match(logs, new RegExp(`${dyno}.*begin ${nonce} ${dyno.replace('.', '\\.')}`));
    assert.match(logs, new RegExp(`${dyno}.*end ${nonce}`), 'its logs are kept after its container is gone');
    assert.match(logs, new RegExp(`slipway: ${dyno.replace('.', '\\.')} exited with code 7`));

    const long = (await h.ok('run', '--detach', '-a', app, '--', 'sleep', '300')).stdout.trim();
    const stopped = await h.ok('ps:stop', '-a', app, long);
    assert.match(stopped.stdout, new RegExp(`stopped ${long.replace('.', '\\.')} \\(exit code (137|143)\\)`));
    assert.equal(
      docker('ps', '-aq', '--filter', `label=slipway.app=${app}`, '--filter', `label=slipway.index=${long.slice(4)}`),
      '',
      'stopped and removed before ps:stop returned',
    );
    const gone = await h.cli('ps:stop', '-a', app, long);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /has no one-off run\.[0-9a-f]{6} running/);
    const both = await h.cli('run', '--detach', '-i', '-a', app, '--', 'true');
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /--detach and --interactive do not go together/);
  });

  test(
    'ps:stop web under load: drained first (no failed connection), stopped with its count kept, ' +
      'not restarted by the supervisor; ps:start brings it back UP',
    async (t) => {
      const load = startLoad({ port: h.httpPort, host: h.host(app), keepAliveClients: 4, newConnectionClients: 2 });
      let stopAt = 0;
      let stoppedAt = 0;
      try {
        await eventually('traffic', () => load.samples.filter((s) => s.ok).length > 50);
        stopAt = Date.now();
        const out = await h.ok('ps:stop', '-a', app, 'web');
        stoppedAt = Date.now();
        t.diagnostic(`ps:stop web took ${stoppedAt - stopAt} ms (drain included)`);
        assert.match(out.stdout, /stopped web of .* bring it back with `slipway ps:start -a .* web`/);
        await eventually(
          'requests after the stop',
          () => load.samples.filter((s) => s.startedAt > stoppedAt).length > 20,
        );
      } finally {
        await load.stop();
      }
      const broken = load.samples.filter((s) => s.error !== undefined);
      assert.deepEqual(
        broken.map((s) => s.error),
        [],
        'no reset or timeout: web left the router before it stopped',
      );
      assert.ok(
        load.samples.filter((s) => s.endedAt < stopAt).every((s) => s.ok),
        'served until the stop',
      );
      const after = load.samples.filter((s) => s.startedAt > stoppedAt);
      assert.ok(
        after.every((s) => s.status === 503),
        `stopped web answers 503: ${[...new Set(after.map((s) => s.status))]}`,
      );

      const state = await ps();
      assert.equal(state.formation['web'], 1, 'the formation count is kept');
      assert.deepEqual(
        state.processes.filter((p) => p.dyno.startsWith('web.')).map((p) => [p.dyno, p.state, p.containerId]),
        [['web.1', 'stopped', '']],
      );
      assert.match((await h.ok('ps', '-a', app)).stdout, /formation: web=1 \(stopped\) worker=1/);

      // A supervisor pass happens (the killed worker is restarted) and leaves web stopped.
      const worker = state.processes.find((p) => p.dyno === 'worker.1')!;
      docker('kill', worker.containerId);
      await eventually('the worker to be restarted', async () => {
        const w = await row('worker.1');
        return w?.state === 'running' && w.containerId !== worker.containerId;
      });
      assert.equal(
        docker('ps', '-q', '--filter', `label=slipway.app=${app}`, '--filter', 'label=slipway.process=web'),
        '',
      );
      const again = await h.ok('ps:stop', '-a', app, 'web');
      assert.match(again.stdout, /already stopped: web/);

      const startAt = Date.now();
      const startedOut = await h.ok('ps:start', '-a', app, 'web');
      t.diagnostic(`ps:start web took ${Date.now() - startAt} ms (start, probe, HAProxy UP)`);
      assert.match(startedOut.stdout, /started web of /);
      const web = await row('web.1');
      assert.equal(web?.state, 'running');
      assert.match(web?.router ?? '', /^UP/);
      for (let i = 0; i < 20; i++) assert.equal((await get(h.httpPort, h.host(app))).status, 200);
      const unknown = await h.cli('ps:stop', '-a', app, 'clock');
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.stderr, /has no process type "clock"[\s\S]*known types: web, worker/);
    },
  );

  test('restart modes: on-failure leaves exit 0 stopped, never leaves a crash crashed; shown in ps', async () => {
    await h.ok('apps:settings:set', '-a', app, 'restart.worker=on-failure');
    const first = (await row('worker.1'))!;
    docker('kill', '--signal', 'TERM', first.containerId); // worker.js exits 0 on SIGTERM
    await eventually('the supervisor to decide', () =>
      h.serverLog.includes(`${app}: worker.1 exited with code 0: not restarted (restart mode on-failure)`),
    );
    const clean = (await row('worker.1'))!;
    assert.deepEqual(
      [clean.containerId, clean.state, clean.exitCode, clean.held?.mode],
      [first.containerId, 'exited', 0, 'on-failure'],
      'the same container, kept as it ended',
    );
    assert.match((await h.ok('ps', '-a', app)).stdout, /worker\.1 .*exited \(0\), not restarted \(on-failure\)/);

    await h.ok('ps:start', '-a', app);
    const second = (await row('worker.1'))!;
    assert.equal(second.state, 'running');
    assert.notEqual(second.containerId, first.containerId);

    await h.ok('apps:settings:set', '-a', app, 'restart.worker=never');
    docker('kill', second.containerId);
    await eventually('the supervisor to decide', () =>
      h.serverLog.includes(`${app}: worker.1 exited with code 137: not restarted (restart mode never)`),
    );
    const crashed = (await row('worker.1'))!;
    assert.deepEqual(
      [crashed.containerId, crashed.state, crashed.crash?.lastExitCode, crashed.held?.mode],
      [second.containerId, 'crashed', 137, 'never'],
    );
    assert.match((await h.ok('ps', '-a', app)).stdout, /worker\.1 .*crashed \(exit 137\), not restarted \(never\)/);
    const badMode = await h.cli('apps:settings:set', '-a', app, 'restart.worker=sometimes');
    assert.notEqual(badMode.code, 0);
    assert.match(badMode.stderr, /must be always, on-failure, never/);

    await h.ok('apps:settings:set', '-a', app, 'restart.worker=');
    await h.ok('ps:start', '-a', app, 'worker');
    assert.equal((await row('worker.1'))?.state, 'running');
  });
});
