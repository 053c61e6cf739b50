import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Harness, ROOT, uniqueApp } from '../e2e/harness.js';
import { SwarmLab } from './swarm-lab.js';
import { labServerEnv, psRows, tearDownLab, waitUntil } from './swarm-kit.js';

const CLI = join(ROOT, 'src', 'cli', 'bin.ts');

interface Out {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `ps:exec` into a dyno whose task runs on the manager or on a worker (through the worker's Docker endpoint, the
 * `slipway.engine` label `nodes:add --engine` stores), and `run -i` on a worker when placement excludes the manager.
 */
describe('ps:exec and run -i on a two-node Swarm', () => {
  let lab: SwarmLab;
  let h: Harness;
  let registry = '';
  const app = uniqueApp('sxec');
  const w1Engine = () => lab.node('w1').host;
  const label = (...args: string[]) => lab.manager.docker('node', 'update', ...args, 'w1');

  /** The CLI as a user runs it (it writes a command's output straight to its stdout); `feed` writes stdin later. */
  function cli(args: string[], feed?: (write: (text: string) => void) => Promise<void>): Promise<Out> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: h.env, cwd: ROOT });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
      if (!feed) child.stdin.end();
      else
        feed((text) => child.stdin.write(text)).then(
          () => child.stdin.end(),
          (err: unknown) => {
            child.kill('SIGKILL');
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
    });
  }

  /** A running web dyno on `node`. */
  async function dynoOn(node: string): Promise<string> {
    const row = (await psRows(h, app)).find(
      (r) => r.dyno.startsWith('web.') && r.state === 'running' && r.node === node,
    );
    assert.ok(row, `a web process on ${node}: ${JSON.stringify(await psRows(h, app))}`);
    return row.dyno;
  }

  before(async () => {
    lab = await SwarmLab.start({ names: ['m1', 'w1'] });
    lab.importBusyboxWeb('slipway-lab/web:1', 'one');
    h = await Harness.create();
    let env: NodeJS.ProcessEnv;
    ({ env, registry } = await labServerEnv(lab));
    await h.startServer(env);
    await h.ok('apps:create', app);
    await h.ok('apps:settings:set', '-a', app, 'drain.timeout=2s', 'stop.grace=1s');
    await h.ok('deploy', '-a', app, '--image', 'slipway-lab/web:1');
    await h.ok('ps:scale', '-a', app, 'web=2');
    // What `nodes:add --engine unix://…` would have stored (the lab formed the Swarm itself).
    label('--label-add', `slipway.engine=${w1Engine()}`);
    await waitUntil(
      async () => new Set((await psRows(h, app)).filter((r) => r.state === 'running').map((r) => r.node)).size === 2,
      30_000,
      'a web process on each node',
    );
  });

  after(() => tearDownLab(h, registry, lab));

  test('a dyno on the manager and one on a worker: its output, exit code 0; exit codes and stdin pass', async () => {
    const [onManager, onWorker] = [await dynoOn('m1'), await dynoOn('w1')];
    for (const dyno of [onManager, onWorker]) {
      const out = await cli(['ps:exec', '-a', app, dyno, '--', 'busybox', 'cat', '/www/index.html']);
      assert.equal(out.status, 0, `${dyno}: ${out.stderr}`);
      assert.equal(out.stdout, 'ok one\n');
    }
    const failing = await cli(['ps:exec', '-a', app, onWorker, '--', 'sh', '-c', 'echo bye >&2; exit 3']);
    assert.equal(failing.status, 3, failing.stderr);
    assert.equal(failing.stderr, 'bye\n');
    const piped = await cli(
      ['ps:exec', '-i', '-a', app, onWorker, '--', 'sh', '-c', 'read l; echo "got $l"; exit 4'],
      async (write) => write('hello\n'),
    );
    assert.equal(piped.status, 4, piped.stderr);
    assert.equal(piped.stdout, 'got hello\n');
  });

  test('run -i with placement run=node.hostname==w1 runs on w1, through its Docker', async () => {
    await h.ok('apps:settings:set', '-a', app, 'placement.run=node.hostname==w1');
    const onW1 = () =>
      lab
        .node('w1')
        .docker('ps', '-q', '--filter', `label=slipway.app=${app}`, '--filter', 'label=slipway.process=run');
    const out = await cli(
      ['run', '-i', '-a', app, '--', 'sh', '-c', 'read l; echo "got $l in $DYNO"; exit 5'],
      async (write) => {
        await waitUntil(async () => onW1() !== '', 30_000, 'the one-off container on w1');
        write('hi\n');
      },
    );
    assert.equal(out.status, 5, out.stderr);
    assert.match(out.stdout, /^got hi in run\.[0-9a-f]{6}\n$/);
    await waitUntil(async () => onW1() === '', 10_000, 'the one-off container removed from w1');
  });

  test('a node Slipway has no endpoint for: a clear error naming it, non-zero exit', async () => {
    label('--label-rm', 'slipway.engine');
    const out = await cli(['ps:exec', '-a', app, await dynoOn('w1'), '--', 'true']);
    assert.notEqual(out.status, 0);
    assert.match(out.stderr, /runs on node w1, whose Docker Slipway cannot reach/);
    assert.match(out.stderr, /nodes:add --engine ssh:\/\//);
    const run = await cli(['run', '-i', '-a', app, '--', 'true']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /on w1, whose Docker Slipway cannot reach/);
  });
});
