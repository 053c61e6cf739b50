import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Harness, uniqueApp } from './harness.js';

interface Job {
  id: number;
  schedule: string;
  command: string[];
  nextRunAt: string;
  lastRun?: { status: string; exitCode?: number; dyno?: string };
}
interface Run {
  id: number;
  status: string;
  dueAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  dyno?: string;
  output: string[];
}

/** Scheduled one-off jobs through a real server: validation, listing, a run on time after a restart, history. */
describe('cron jobs (real Docker, real server restarts)', () => {
  let h: Harness;
  const app = uniqueApp('cron');
  const jobs = async () => (JSON.parse((await h.ok('cron', '-a', app, '--json')).stdout) as { jobs: Job[] }).jobs;

  before(async () => {
    h = await Harness.create();
    await h.startServer();
    await h.deploySlowApp(app);
  });

  after(async () => {
    h.removeAppContainers(app);
    await h.destroy();
  });

  test('a bad schedule is refused naming the field, with a hint; nothing is added', async () => {
    const bad = await h.cli('cron:add', '-a', app, '61 * * * *', '--', 'true');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid schedule "61 \* \* \* \*": minute "61": constraint error/);
    assert.match(bad.stderr, /hint: five fields, in UTC: minute hour day-of-month month day-of-week/);
    const unquoted = await h.cli('cron:add', '-a', app, '0', '3', '--', 'true');
    assert.notEqual(unquoted.code, 0);
    assert.match(unquoted.stderr, /give the schedule as one quoted argument/);
    const noCommand = await h.cli('cron:add', '-a', app, '0 3 * * *');
    assert.notEqual(noCommand.code, 0);
    assert.match(noCommand.stderr, /no command to run/);
    assert.deepEqual(await jobs(), []);
  });

  test(
    'a job added before a server restart runs on time after it, in a one-off of the current release, ' +
      'and records its exit code and output; cron and cron:runs show it; cron:remove removes it',
    { timeout: 180_000 },
    async (t) => {
      const added = await h.ok(
        'cron:add',
        '-a',
        app,
        '* * * * *',
        '--',
        'sh',
        '-c',
        'echo "tick $DYNO $SLIPWAY_RELEASE"; exit 3',
      );
      assert.match(
        added.stdout,
        /added job \d+: "\* \* \* \* \*" \(UTC\) runs sh -c .*; next run \d{4}-\d\d-\d\d \d\d:\d\d:00 UTC/,
      );
      const [job] = await jobs();
      assert.ok(job);
      assert.match(job.nextRunAt, /:00\.000Z$/, 'a whole minute (UTC)');

      // The schedule lives in the store: a restarted server keeps the job and its next run.
      await h.stopServer();
      await h.startServer();
      assert.equal((await jobs())[0]?.nextRunAt, job.nextRunAt);

      const runsOf = async () =>
        (JSON.parse((await h.ok('cron:runs', '-a', app, String(job.id), '--json')).stdout) as { runs: Run[] }).runs;
      const deadline = Date.parse(job.nextRunAt) + 60_000;
      let run: Run | undefined;
      while (!(run = (await runsOf()).find((r) => r.finishedAt))) {
        if (Date.now() > deadline)
          assert.fail(`no finished run by ${new Date(deadline).toISOString()}:\n${h.serverLog.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(run.dueAt, job.nextRunAt, 'the run is the one that was due');
      assert.equal(run.status, 'failed');
      assert.equal(run.exitCode, 3);
      assert.match(run.dyno ?? '', /^run\.[0-9a-f]{6}$/);
      assert.deepEqual(run.output, [`tick ${run.dyno} v1`], 'in the current release, its output kept');
      const lateMs = Date.parse(run.startedAt!) - Date.parse(run.dueAt);
      assert.ok(lateMs >= 0 && lateMs < 15_000, `started ${lateMs} ms after it was due`);
      const ranMs = Date.parse(run.finishedAt!) - Date.parse(run.startedAt!);
      t.diagnostic(`the run started ${lateMs} ms after its due time and ran ${ranMs} ms`);

      assert.equal(
        execFileSync(
          'docker',
          ['ps', '-aq', '--filter', `label=slipway.app=${app}`, '--filter', 'label=slipway.process=run'],
          {
            encoding: 'utf8',
          },
        ).trim(),
        '',
        'its container was removed',
      );
      const logs = (await h.ok('logs', '-a', app, '--ps', 'run', '-n', '100')).stdout;
      assert.match(logs, new RegExp(`tick ${run.dyno!.replace('.', '\\.')} v1`));

      const listing = (await h.ok('cron', '-a', app)).stdout;
      assert.match(listing, /times in UTC/);
      assert.match(listing, new RegExp(`${job.id}\\s+\\* \\* \\* \\* \\*\\s+sh -c .*\\(exit 3\\)`));
      const history = (await h.ok('cron:runs', '-a', app, String(job.id), '--output')).stdout;
      assert.match(history, /failed/);
      assert.match(history, new RegExp(`--- run ${run.id} \\(failed, exit 3\\) ---\\ntick `));

      await h.ok('cron:remove', '-a', app, String(job.id));
      assert.deepEqual(await jobs(), []);
      const again = await h.cli('cron:remove', '-a', app, String(job.id));
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, new RegExp(`has no scheduled job ${job.id}`));
    },
  );
});
