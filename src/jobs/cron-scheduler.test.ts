import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../store/store.js';
import { SlipwayError } from '../core/errors.js';
import { abortError } from '../core/abort.js';
import type { Clock } from '../core/clock.js';
import type { CronRunner, RunContainer } from './cron-runner.js';
import { CronService } from './cron-service.js';
import type { CronJob } from './cron-types.js';

/** A clock the test moves: sleeps end when the test advances past them (or their signal aborts). */
class FakeClock implements Clock {
  private sleepers: { until: number; resolve: () => void }[] = [];
  constructor(public ms: number) {}
  now(): number {
    return this.ms;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const sleeper = { until: this.ms + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(abortError(signal));
      });
    });
  }
  get sleeping(): number {
    return this.sleepers.length;
  }
  set(iso: string): void {
    this.ms = Date.parse(iso);
    const due = this.sleepers.filter((s) => s.until <= this.ms);
    this.sleepers = this.sleepers.filter((s) => s.until > this.ms);
    for (const s of due) s.resolve();
  }
}

/** One-offs as data: the test decides when each ends and how. */
class FakeRunner implements CronRunner {
  readonly launched: { jobId: number; runId: number; containerId: string }[] = [];
  readonly retired: string[] = [];
  failLaunch?: SlipwayError;
  leftover = new Map<number, RunContainer>();
  private readonly exits = new Map<string, (code: number | undefined) => void>();
  private readonly pending = new Map<string, number | undefined>();

  async launch(job: CronJob, runId: number) {
    if (this.failLaunch) throw this.failLaunch;
    const containerId = `c${runId}`;
    this.launched.push({ jobId: job.id, runId, containerId });
    return {
      containerId,
      dyno: `run.00000${runId}`,
      release: 1,
      redact: (s: string) => s.replaceAll('s3cret', '[KEY]'),
    };
  }
  waitForExit(containerId: string, signal: AbortSignal): Promise<number | undefined> {
    if (this.pending.has(containerId)) return Promise.resolve(this.pending.get(containerId));
    return new Promise((resolve, reject) => {
      this.exits.set(containerId, resolve);
      signal.addEventListener('abort', () => reject(abortError(signal)));
    });
  }
  /** The container ends now (or, when nobody waits yet, as soon as someone does). */
  exit(containerId: string, code: number | undefined): void {
    const resolve = this.exits.get(containerId);
    if (resolve) resolve(code);
    else this.pending.set(containerId, code);
  }
  async retire(containerId: string, _code: number | undefined, redact: (s: string) => string, keep: number) {
    this.retired.push(containerId);
    return [`output of ${containerId} with s3cret`].map(redact).slice(-keep);
  }
  async runContainers() {
    return this.leftover;
  }
  redactorFor() {
    return (s: string) => s;
  }
}

async function until(what: string, check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('scheduled jobs', () => {
  let store: Store;
  let clock: FakeClock;
  let runner: FakeRunner;
  let cron: CronService;
  const logs: string[] = [];
  const make = () => new CronService({ store, clock, runner, log: (m) => logs.push(m), options: { graceMs: 30_000 } });
  const scheduler = (service: CronService) =>
    (service as unknown as { scheduler: { tick(): Promise<void> } }).scheduler;

  beforeEach(() => {
    store = openStore(':memory:', randomBytes(32));
    store.apps.create('shop', '2026-03-01T00:00:00Z');
    clock = new FakeClock(Date.parse('2026-03-01T00:00:30Z'));
    runner = new FakeRunner();
    cron = make();
  });
  afterEach(async () => {
    await cron.stop();
    store.close();
  });

  it('runs a job when it is due (the loop sleeps on the Clock port), records its exit code and output', async () => {
    const job = cron.add('shop', '* * * * *', ['rake', 'cleanup'], 'admin');
    assert.equal(job.nextRunAt, '2026-03-01T00:01:00.000Z');
    cron.start();
    await until('the scheduler to sleep', () => clock.sleeping === 1);
    assert.equal(runner.launched.length, 0, 'not before it is due');
    clock.set('2026-03-01T00:01:00.200Z');
    await until('the job to start', () => runner.launched.length === 1);
    assert.equal(store.cron.running(job.id)[0]?.dyno, 'run.000001');
    runner.exit('c1', 3);
    await cron.settled();
    const [run] = cron.runs('shop', job.id, 10).runs;
    assert.deepEqual(
      { status: run!.status, exitCode: run!.exitCode, output: run!.output, dueAt: run!.dueAt },
      {
        status: 'failed',
        exitCode: 3,
        output: ['output of c1 with [KEY]'],
        dueAt: '2026-03-01T00:01:00.000Z',
      },
    );
    assert.deepEqual(runner.retired, ['c1'], 'its logs kept and its container removed');
    const [listed] = cron.list('shop');
    assert.equal(listed!.nextRunAt, '2026-03-01T00:02:00.000Z');
    assert.deepEqual(listed!.lastRun, {
      id: run!.id,
      status: 'failed',
      startedAt: '2026-03-01T00:01:00.200Z',
      finishedAt: '2026-03-01T00:01:00.200Z',
      exitCode: 3,
      dyno: 'run.000001',
    });
  });

  it('one run per job at a time: a run due while the previous one still goes is skipped and recorded', async () => {
    const job = cron.add('shop', '* * * * *', ['sleep', '90'], 'admin');
    clock.set('2026-03-01T00:01:00Z');
    await scheduler(cron).tick();
    clock.set('2026-03-01T00:02:00Z');
    await scheduler(cron).tick();
    assert.equal(runner.launched.length, 1);
    const runs = cron.runs('shop', job.id, 10).runs;
    assert.deepEqual(
      runs.map((r) => [r.status, r.dueAt, r.note]),
      [
        ['skipped', '2026-03-01T00:02:00.000Z', `run ${runs[1]!.id} (run.000001) was still running`],
        ['running', '2026-03-01T00:01:00.000Z', undefined],
      ],
    );
    runner.exit('c1', 0);
    await cron.settled();
    assert.equal(cron.runs('shop', job.id, 1).runs[0]!.status, 'skipped');
    assert.equal(cron.runs('shop', job.id, 10).runs[1]!.status, 'succeeded');
  });

  it('after a restart, times missed while the server was down are recorded as missed, not replayed', async () => {
    const job = cron.add('shop', '* * * * *', ['true'], 'admin');
    // The server was down from 00:00:30 to 00:05:10: 00:01-00:04 are missed, 00:05 (10 s late) still runs.
    await cron.stop();
    clock.set('2026-03-01T00:05:10Z');
    cron = make();
    await scheduler(cron).tick();
    assert.deepEqual(
      runner.launched.map((l) => l.jobId),
      [job.id],
      'one run, not a burst',
    );
    const runs = cron.runs('shop', job.id, 10).runs;
    assert.deepEqual(
      runs.map((r) => [r.status, r.dueAt, r.missed]),
      [
        ['running', '2026-03-01T00:05:00.000Z', 0],
        ['missed', '2026-03-01T00:01:00.000Z', 4],
      ],
    );
    assert.match(runs[1]!.note!, /4 scheduled runs from 2026-03-01T00:01:00.000Z missed: the server was not running/);
    assert.equal(cron.list('shop')[0]!.nextRunAt, '2026-03-01T00:06:00.000Z', 'the next time comes from the store');

    // Down again past 00:06 and 00:07 by more than the grace: both missed, none run.
    runner.exit('c' + runs[0]!.id, 0);
    await cron.settled();
    clock.set('2026-03-01T00:07:45Z');
    await scheduler(cron).tick();
    assert.equal(runner.launched.length, 1);
    assert.deepEqual(
      cron.runs('shop', job.id, 1).runs.map((r) => [r.status, r.missed]),
      [['missed', 2]],
    );
  });

  it('after a restart, a run still going is followed again; one whose container is gone is lost', async () => {
    const job = cron.add('shop', '* * * * *', ['true'], 'admin');
    const base = { jobId: job.id, app: 'shop', status: 'running' as const, dueAt: '2026-03-01T00:01:00.000Z' };
    const alive = store.cron.addRun({ ...base, startedAt: '2026-03-01T00:01:00.000Z', containerId: 'k1' });
    const gone = store.cron.addRun({ ...base, startedAt: '2026-03-01T00:01:00.000Z', containerId: 'k2' });
    runner.leftover = new Map([
      [alive.id, { id: 'k1', app: 'shop', release: 1 }],
      [999, { id: 'orphan', app: 'shop' }],
    ]);
    runner.exit('k1', 0);
    runner.exit('orphan', 1);
    cron.start();
    await until('recovery', () => runner.retired.length === 2);
    await cron.settled();
    assert.equal(store.cron.run(alive.id)!.status, 'succeeded');
    assert.equal(store.cron.run(gone.id)!.status, 'lost');
    assert.deepEqual(runner.retired.sort(), ['k1', 'orphan'], 'a run whose job was removed is retired too');
  });

  it('a run that cannot start is recorded as failed with the reason; the job stays scheduled', async () => {
    const job = cron.add('shop', '0 * * * *', ['true'], 'admin');
    runner.failLaunch = new SlipwayError('NO_RELEASE', 'app "shop" has no release to run a command in', {
      hint: 'deploy it first',
    });
    clock.set('2026-03-01T01:00:00Z');
    await scheduler(cron).tick();
    const [run] = cron.runs('shop', job.id, 5).runs;
    assert.equal(run!.status, 'failed');
    assert.equal(run!.note, 'could not start: app "shop" has no release to run a command in (deploy it first)');
    assert.equal(cron.list('shop')[0]!.nextRunAt, '2026-03-01T02:00:00.000Z');
  });

  it('refuses bad input with a hint and changes nothing; other apps cannot see a job', () => {
    const refuse = (fn: () => unknown, message: RegExp) =>
      assert.throws(fn, (err: unknown) => err instanceof SlipwayError && message.test(err.message) && !!err.hint);
    refuse(() => cron.add('shop', '61 * * * *', ['true'], 'admin'), /minute "61"/);
    refuse(() => cron.add('shop', '* * * * *', [], 'admin'), /no command/);
    refuse(() => cron.add('shop', '* * * * *', ['a\0b'], 'admin'), /NUL/);
    refuse(
      () =>
        cron.add(
          'shop',
          '* * * * *',
          Array.from({ length: 300 }, () => 'x'),
          'admin',
        ),
      /too long/,
    );
    assert.deepEqual(cron.list('shop'), []);
    const job = cron.add('shop', '* * * * *', ['true'], 'admin');
    store.apps.create('other', '2026-03-01T00:00:00Z');
    refuse(() => cron.remove('other', job.id), /other has no scheduled job/);
    refuse(() => cron.runs('other', job.id, 10), /other has no scheduled job/);
    cron.remove('shop', job.id);
    assert.deepEqual(cron.list('shop'), []);
  });
});
