import type { Store } from '../store/store.js';
import type { Clock } from '../core/clock.js';
import { toSlipwayError } from '../core/errors.js';
import type { CronRunner } from './cron-runner.js';
import type { CronJob } from './cron-types.js';
import { nextRun, occurrences } from './cron-schedule.js';

export interface CronSchedulerOptions {
  /** A run found this late (the server was busy or restarting) still runs; later, it counts as missed. */
  graceMs?: number;
  /** The loop looks at the store at least this often (jobs added elsewhere, a clock jump). */
  maxSleepMs?: number;
  /** Runs kept per job, and output lines per run. */
  keepRuns?: number;
  keepLines?: number;
}

export const CRON_DEFAULTS = { graceMs: 30_000, maxSleepMs: 30_000, keepRuns: 100, keepLines: 100 };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Runs scheduled jobs on time, from the store (so it survives restarts): each due job runs as a
 * one-off of the app's current release, one run per job at a time (a run due while the previous one
 * still goes is skipped and recorded), and due times that passed while the server was down are
 * recorded as missed, never replayed in a burst. Every wait goes through the Clock port.
 */
export class CronScheduler {
  private readonly opts: typeof CRON_DEFAULTS;
  private readonly controller = new AbortController();
  private wake = new AbortController();
  private loop?: Promise<void>;
  private readonly inFlight = new Map<number, Promise<void>>();

  constructor(
    private readonly deps: { store: Store; clock: Clock; runner: CronRunner; log: (message: string) => void },
    opts: CronSchedulerOptions = {},
  ) {
    this.opts = { ...CRON_DEFAULTS, ...opts };
  }

  /** Finds runs that were going when the server stopped, then schedules from the store. */
  start(): void {
    this.loop = (async () => {
      await this.recover().catch((err: unknown) => this.deps.log(`cron: recovering runs failed: ${message(err)}`));
      await this.run();
    })();
  }

  /** Stops the loop and the waits (runs keep going; the next start finds them). */
  async stop(): Promise<void> {
    this.controller.abort();
    this.wake.abort();
    await this.loop;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** The jobs changed: look again now. */
  notify(): void {
    this.wake.abort();
  }

  /** Resolves when every run started so far has been recorded as ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      await this.tick().catch((err: unknown) => this.deps.log(`cron: ${message(err)}`));
      const next = Math.min(...this.deps.store.cron.all().map((j) => Date.parse(j.nextRunAt)));
      const wait = Math.min(this.opts.maxSleepMs, Math.max(0, next - this.deps.clock.now()));
      this.wake = new AbortController();
      await this.deps.clock.sleep(wait, AbortSignal.any([signal, this.wake.signal])).catch(() => undefined);
    }
  }

  /** One pass at the clock's time: every due job runs, is skipped or counts as missed; its next time is stored. */
  async tick(): Promise<void> {
    const now = this.deps.clock.now();
    for (const job of this.deps.store.cron.all()) {
      const due = Date.parse(job.nextRunAt);
      if (due > now) continue;
      const { count, latest, capped } = occurrences(job.schedule, due, now);
      const runNow = now - latest <= this.opts.graceMs;
      const missed = runNow ? count - 1 : count;
      if (missed > 0) this.recordMissed(job, due, runNow ? latest : undefined, missed, capped);
      // The next time is stored before the run starts: a crash while starting never runs it twice.
      this.deps.store.cron.setNextRun(job.id, iso(nextRun(job.schedule, now)));
      if (runNow) await this.runOnce(job, latest);
      this.deps.store.cron.pruneRuns(job.id, this.opts.keepRuns);
    }
  }

  private recordMissed(job: CronJob, firstDue: number, ranAt: number | undefined, count: number, capped: boolean) {
    const many = capped ? `at least ${count}` : String(count);
    this.deps.store.cron.addRun({
      jobId: job.id,
      app: job.app,
      status: 'missed',
      dueAt: iso(firstDue),
      missed: count,
      note:
        `${many} scheduled run${count === 1 ? '' : 's'} from ${iso(firstDue)} missed: the server was not running` +
        (ranAt === undefined ? '' : ` (the one due ${iso(ranAt)} ran)`),
    });
    this.deps.log(`cron: job ${job.id} of ${job.app} missed ${many} run(s) while the server was down`);
  }

  private async runOnce(job: CronJob, dueAt: number): Promise<void> {
    const { store, clock, runner } = this.deps;
    const busy = store.cron.running(job.id)[0];
    if (busy) {
      store.cron.addRun({
        jobId: job.id,
        app: job.app,
        status: 'skipped',
        dueAt: iso(dueAt),
        note: `run ${busy.id}${busy.dyno ? ` (${busy.dyno})` : ''} was still running`,
      });
      return;
    }
    const row = store.cron.addRun({
      jobId: job.id,
      app: job.app,
      status: 'running',
      dueAt: iso(dueAt),
      startedAt: iso(clock.now()),
    });
    try {
      const launched = await runner.launch(job, row.id, this.controller.signal);
      store.cron.updateRunning(row.id, {
        containerId: launched.containerId,
        dyno: launched.dyno,
        release: launched.release,
      });
      this.follow(row.id, launched.containerId, launched.redact);
    } catch (err) {
      const error = toSlipwayError(err);
      store.cron.finishRun(row.id, {
        status: 'failed',
        finishedAt: iso(clock.now()),
        note: `could not start: ${error.message}${error.hint ? ` (${error.hint})` : ''}`,
      });
      this.deps.log(`cron: job ${job.id} of ${job.app} could not start: ${error.message}`);
    }
  }

  /** Waits for a run's container to end, then records its exit code and output (once per run). */
  private follow(runId: number, containerId: string, redact: (s: string) => string): void {
    if (this.inFlight.has(runId)) return;
    const { store, clock, runner } = this.deps;
    const signal = this.controller.signal;
    const done = (async () => {
      try {
        const exitCode = await runner.waitForExit(containerId, signal);
        const output = await runner.retire(containerId, exitCode, redact, this.opts.keepLines);
        store.cron.finishRun(runId, {
          status: exitCode === undefined ? 'lost' : exitCode === 0 ? 'succeeded' : 'failed',
          finishedAt: iso(clock.now()),
          output,
          ...(exitCode === undefined ? { note: 'its container disappeared before it ended' } : { exitCode }),
        });
      } catch (err) {
        if (!signal.aborted) this.deps.log(`cron: run ${runId}: ${message(err)}`);
      } finally {
        this.inFlight.delete(runId);
      }
    })();
    this.inFlight.set(runId, done);
  }

  /** Runs that were going when the server stopped: followed again, or recorded as lost when their container is gone. */
  private async recover(): Promise<void> {
    const { store, clock, runner } = this.deps;
    const containers = await runner.runContainers();
    for (const run of store.cron.running()) {
      const found = containers.get(run.id);
      containers.delete(run.id);
      if (!found) {
        store.cron.finishRun(run.id, {
          status: 'lost',
          finishedAt: iso(clock.now()),
          note: 'the server restarted and its container was gone',
        });
        continue;
      }
      this.follow(run.id, found.id, runner.redactorFor(found.app, found.release));
    }
    // Containers of runs no longer recorded (their job was removed): retired once they end.
    for (const [runId, c] of containers) this.follow(runId, c.id, runner.redactorFor(c.app, c.release));
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
