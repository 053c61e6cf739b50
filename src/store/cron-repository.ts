import type { Db } from './database.js';
import { SlipwayError } from '../core/errors.js';
import type { CronJob, CronRun, CronRunStatus } from '../jobs/cron-types.js';

interface JobRow {
  id: number;
  app: string;
  schedule: string;
  command_json: string;
  next_run_at: string;
  created_at: string;
  created_by: string;
}

interface RunRow {
  id: number;
  job_id: number;
  app: string;
  status: CronRunStatus;
  due_at: string;
  started_at: string | null;
  finished_at: string | null;
  exit_code: number | null;
  release: number | null;
  dyno: string | null;
  container_id: string | null;
  missed: number;
  note: string | null;
  output_json: string;
}

function toJob(r: JobRow): CronJob {
  return {
    id: r.id,
    app: r.app,
    schedule: r.schedule,
    command: stringList(r.command_json),
    nextRunAt: r.next_run_at,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

function toRun(r: RunRow): CronRun {
  return {
    id: r.id,
    jobId: r.job_id,
    app: r.app,
    status: r.status,
    dueAt: r.due_at,
    ...(r.started_at === null ? {} : { startedAt: r.started_at }),
    ...(r.finished_at === null ? {} : { finishedAt: r.finished_at }),
    ...(r.exit_code === null ? {} : { exitCode: r.exit_code }),
    ...(r.release === null ? {} : { release: r.release }),
    ...(r.dyno === null ? {} : { dyno: r.dyno }),
    ...(r.container_id === null ? {} : { containerId: r.container_id }),
    missed: r.missed,
    ...(r.note === null ? {} : { note: r.note }),
    output: stringList(r.output_json),
  };
}

function stringList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export type NewCronRun = Omit<CronRun, 'id' | 'missed' | 'output'> & { missed?: number; output?: string[] };

/** Scheduled jobs and their run history. */
export class CronRepository {
  constructor(private readonly db: Db) {}

  create(input: Omit<CronJob, 'id'>): CronJob {
    const result = this.db
      .prepare(
        'INSERT INTO cron_jobs (app, schedule, command_json, next_run_at, created_at, created_by) ' +
          'VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(input.app, input.schedule, JSON.stringify(input.command), input.nextRunAt, input.createdAt, input.createdBy);
    return this.get(input.app, Number(result.lastInsertRowid));
  }

  list(app: string): CronJob[] {
    return (this.db.prepare('SELECT * FROM cron_jobs WHERE app = ? ORDER BY id').all(app) as JobRow[]).map(toJob);
  }

  /** Every job of every app (the scheduler's view). */
  all(): CronJob[] {
    return (this.db.prepare('SELECT * FROM cron_jobs ORDER BY id').all() as JobRow[]).map(toJob);
  }

  find(id: number): CronJob | undefined {
    const row = this.db.prepare('SELECT * FROM cron_jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  get(app: string, id: number): CronJob {
    const job = this.find(id);
    if (!job || job.app !== app) {
      throw new SlipwayError('NOT_FOUND', `${app} has no scheduled job ${id}`, {
        hint: `list them with \`slipway cron -a ${app}\``,
      });
    }
    return job;
  }

  remove(app: string, id: number): void {
    this.db.prepare('DELETE FROM cron_jobs WHERE app = ? AND id = ?').run(app, id);
  }

  setNextRun(id: number, at: string): void {
    this.db.prepare('UPDATE cron_jobs SET next_run_at = ? WHERE id = ?').run(at, id);
  }

  addRun(run: NewCronRun): CronRun {
    const result = this.db
      .prepare(
        'INSERT INTO cron_runs (job_id, app, status, due_at, started_at, finished_at, exit_code, release, dyno, ' +
          'container_id, missed, note, output_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        run.jobId,
        run.app,
        run.status,
        run.dueAt,
        run.startedAt ?? null,
        run.finishedAt ?? null,
        run.exitCode ?? null,
        run.release ?? null,
        run.dyno ?? null,
        run.containerId ?? null,
        run.missed ?? 0,
        run.note ?? null,
        JSON.stringify(run.output ?? []),
      );
    return this.run(Number(result.lastInsertRowid))!;
  }

  /** A run's container started. */
  updateRunning(id: number, started: { containerId: string; dyno: string; release: number }): void {
    this.db
      .prepare('UPDATE cron_runs SET container_id = ?, dyno = ?, release = ? WHERE id = ?')
      .run(started.containerId, started.dyno, started.release, id);
  }

  /** A running run ended (or was found gone). */
  finishRun(
    id: number,
    end: { status: CronRunStatus; finishedAt: string; exitCode?: number; note?: string; output?: string[] },
  ): void {
    this.db
      .prepare(
        'UPDATE cron_runs SET status = ?, finished_at = ?, exit_code = ?, note = ?, output_json = ? WHERE id = ?',
      )
      .run(end.status, end.finishedAt, end.exitCode ?? null, end.note ?? null, JSON.stringify(end.output ?? []), id);
  }

  run(id: number): CronRun | undefined {
    const row = this.db.prepare('SELECT * FROM cron_runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  /** Runs whose container was running when last seen (every job, or one). */
  running(jobId?: number): CronRun[] {
    const rows = (
      jobId === undefined
        ? this.db.prepare("SELECT * FROM cron_runs WHERE status = 'running' ORDER BY id").all()
        : this.db.prepare("SELECT * FROM cron_runs WHERE status = 'running' AND job_id = ? ORDER BY id").all(jobId)
    ) as RunRow[];
    return rows.map(toRun);
  }

  /** A job's runs, newest first. */
  runs(jobId: number, limit: number): CronRun[] {
    return (
      this.db.prepare('SELECT * FROM cron_runs WHERE job_id = ? ORDER BY id DESC LIMIT ?').all(jobId, limit) as RunRow[]
    ).map(toRun);
  }

  /** The newest run that started (succeeded, failed, running or lost), for `cron`'s last-run column. */
  lastStarted(jobId: number): CronRun | undefined {
    const row = this.db
      .prepare('SELECT * FROM cron_runs WHERE job_id = ? AND started_at IS NOT NULL ORDER BY id DESC LIMIT 1')
      .get(jobId) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  /** Keeps a job's newest `keep` runs (a running one is never dropped). */
  pruneRuns(jobId: number, keep: number): void {
    this.db
      .prepare(
        "DELETE FROM cron_runs WHERE job_id = ? AND status != 'running' AND id NOT IN " +
          '(SELECT id FROM cron_runs WHERE job_id = ? ORDER BY id DESC LIMIT ?)',
      )
      .run(jobId, jobId, keep);
  }
}
