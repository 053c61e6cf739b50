import type { Store } from '../store/store.js';
import type { Clock } from '../core/clock.js';
import { SlipwayError } from '../core/errors.js';
import type { CronRunner } from './cron-runner.js';
import { CronScheduler, type CronSchedulerOptions } from './cron-scheduler.js';
import { nextRun, parseSchedule } from './cron-schedule.js';
import type { CronJob, CronRun } from './cron-types.js';

/** Jobs one app may have, words in a job's command, characters in all of them. */
export const CRON_LIMITS = { jobsPerApp: 50, commandWords: 256, commandChars: 16 * 1024 };

/** A job as `cron` lists it: its next run and how its last run went. */
export interface CronJobView extends CronJob {
  lastRun?: Pick<CronRun, 'id' | 'status' | 'startedAt' | 'finishedAt' | 'exitCode' | 'dyno'>;
}

/** `cron:add`, `cron`, `cron:remove`, `cron:runs`; owns the scheduler that runs the jobs. */
export class CronService {
  private readonly scheduler: CronScheduler;

  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      runner: CronRunner;
      log: (message: string) => void;
      options?: CronSchedulerOptions;
    },
  ) {
    this.scheduler = new CronScheduler(deps, deps.options);
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  add(appName: string, schedule: string, command: string[], actor: string): CronJob {
    const app = this.deps.store.apps.get(appName);
    const expression = parseSchedule(schedule);
    const hint = `slipway cron:add -a ${app.name} "0 3 * * *" -- COMMAND [ARGS…]`;
    if (command.length === 0 || command[0] === '')
      throw new SlipwayError('INVALID_INPUT', 'no command to run', { hint });
    if (command.length > CRON_LIMITS.commandWords || command.join(' ').length > CRON_LIMITS.commandChars)
      throw new SlipwayError(
        'INVALID_INPUT',
        `the command is too long (at most ${CRON_LIMITS.commandWords} words, ${CRON_LIMITS.commandChars} characters)`,
        { hint: 'put a longer script in the image and run that' },
      );
    if (command.some((w) => w.includes('\0')))
      throw new SlipwayError('INVALID_INPUT', 'the command contains a NUL byte', { hint });
    if (this.deps.store.cron.list(app.name).length >= CRON_LIMITS.jobsPerApp)
      throw new SlipwayError('INVALID_INPUT', `${app.name} already has ${CRON_LIMITS.jobsPerApp} scheduled jobs`, {
        hint: `remove one first: \`slipway cron -a ${app.name}\`, \`slipway cron:remove -a ${app.name} ID\``,
      });
    const now = this.deps.clock.now();
    const job = this.deps.store.cron.create({
      app: app.name,
      schedule: expression,
      command,
      nextRunAt: new Date(nextRun(expression, now)).toISOString(),
      createdAt: new Date(now).toISOString(),
      createdBy: actor,
    });
    this.scheduler.notify();
    return job;
  }

  list(appName: string): CronJobView[] {
    const app = this.deps.store.apps.get(appName);
    return this.deps.store.cron.list(app.name).map((job) => {
      const last = this.deps.store.cron.lastStarted(job.id);
      if (!last) return job;
      const { id, status, startedAt, finishedAt, exitCode, dyno } = last;
      return {
        ...job,
        lastRun: {
          id,
          status,
          ...(startedAt ? { startedAt } : {}),
          ...(finishedAt ? { finishedAt } : {}),
          ...(exitCode === undefined ? {} : { exitCode }),
          ...(dyno ? { dyno } : {}),
        },
      };
    });
  }

  /** Removes a job; a run of it still going finishes (its logs are kept), nothing new starts. */
  remove(appName: string, id: number): CronJob {
    const app = this.deps.store.apps.get(appName);
    const job = this.deps.store.cron.get(app.name, id);
    this.deps.store.cron.remove(app.name, id);
    this.scheduler.notify();
    return job;
  }

  runs(appName: string, id: number, limit: number): { job: CronJob; runs: CronRun[] } {
    const app = this.deps.store.apps.get(appName);
    const job = this.deps.store.cron.get(app.name, id);
    return { job, runs: this.deps.store.cron.runs(job.id, Math.min(Math.max(1, limit), 1000)) };
  }

  /** Tests: resolves once every run started so far was recorded as ended. */
  settled(): Promise<void> {
    return this.scheduler.settled();
  }
}
