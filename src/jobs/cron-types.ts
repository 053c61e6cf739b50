/** Scheduled one-off jobs (`cron:add`): domain types, no I/O. Times are ISO strings in UTC. */

export interface CronJob {
  id: number;
  app: string;
  /** Five-field cron expression, evaluated in UTC. */
  schedule: string;
  /** Run as `run -- COMMAND…` would: argv, no shell. */
  command: string[];
  /** When the scheduler runs it next. */
  nextRunAt: string;
  createdAt: string;
  createdBy: string;
}

/**
 * running: its container runs now; succeeded / failed: it ran (exit code 0 / non-zero, or it could not start);
 * skipped: it was due while the job's previous run was still going; missed: it was due while the server was down;
 * lost: its container disappeared before the server saw it end.
 */
export type CronRunStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'missed' | 'lost';

export interface CronRun {
  id: number;
  jobId: number;
  app: string;
  status: CronRunStatus;
  /** The scheduled time it was for (for `missed`: the first one missed). */
  dueAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  release?: number;
  /** `run.ab12cd`: its tag in `logs`. */
  dyno?: string;
  containerId?: string;
  /** For `missed`: how many scheduled times were missed in a row. */
  missed: number;
  note?: string;
  /** The last output lines kept (secrets redacted). */
  output: string[];
}
