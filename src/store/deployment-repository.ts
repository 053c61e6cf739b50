import type { Db } from './database.js';
import { SlipwayError } from '../core/errors.js';
import type { Deployment, DeploymentStatus } from '../core/types.js';
import type { SlipwayEvent } from '../core/events.js';

interface DeploymentRow {
  id: number;
  app: string;
  release: number;
  kind: Deployment['kind'];
  status: DeploymentStatus;
  error_json: string | null;
  started_at: string;
  finished_at: string | null;
}

export type StepStatus = 'pending' | 'started' | 'done' | 'failed';

export interface JournaledStep<S> {
  seq: number;
  step: S;
  status: StepStatus;
  result?: unknown;
}

function toDeployment(row: DeploymentRow): Deployment {
  return {
    id: row.id,
    app: row.app,
    release: row.release,
    kind: row.kind,
    status: row.status,
    startedAt: row.started_at,
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    ...(row.error_json ? { error: JSON.parse(row.error_json) as Deployment['error'] } : {}),
  };
}

/** Deployments as journals: the plan's steps are written before they run, each step's status before and after. */
export class DeploymentRepository {
  constructor(private readonly db: Db) {}

  /** Starts a deployment; refuses when another one of the same app is running (the per-app lock). */
  start(input: { app: string; release: number; kind: Deployment['kind']; now: string }): Deployment {
    return this.db.transaction(() => {
      this.assertIdle(input.app);
      const result = this.db
        .prepare("INSERT INTO deployments (app, release, kind, status, started_at) VALUES (?, ?, ?, 'running', ?)")
        .run(input.app, input.release, input.kind, input.now);
      return this.get(Number(result.lastInsertRowid));
    })();
  }

  /**
   * Throws DEPLOY_IN_PROGRESS when a deployment of `app` is running (the per-app lock). With
   * `except`, running deployments of those kinds do not count (e.g. a short heal that the deploy
   * about to start will wait for).
   */
  assertIdle(app: string, opts: { except?: Deployment['kind'][] } = {}): void {
    // The holder: who made the release it rolls out (a heal or a destroy is Slipway's or the admin's own).
    const rows = this.db
      .prepare(
        'SELECT d.id, d.kind, d.release, d.started_at, r.created_by FROM deployments d ' +
          'LEFT JOIN releases r ON r.app = d.app AND r.version = d.release ' +
          "WHERE d.app = ? AND d.status = 'running'",
      )
      .all(app) as {
      id: number;
      kind: Deployment['kind'];
      release: number;
      started_at: string;
      created_by: string | null;
    }[];
    const running = rows.find((r) => !opts.except?.includes(r.kind));
    if (running) {
      const by = running.created_by && running.kind !== 'heal' ? ` by ${running.created_by}` : '';
      const what = `#${running.id}: ${running.kind} of v${running.release}${by}, since ${running.started_at}`;
      throw new SlipwayError('DEPLOY_IN_PROGRESS', `app "${app}" has a deployment in progress (${what})`, {
        hint: 'wait for it to finish (`slipway ps -a ' + app + '`), then try again',
      });
    }
  }

  get(id: number): Deployment {
    const row = this.db.prepare('SELECT * FROM deployments WHERE id = ?').get(id) as DeploymentRow | undefined;
    if (!row) throw new SlipwayError('NOT_FOUND', `deployment ${id} does not exist`);
    return toDeployment(row);
  }

  list(app: string, limit = 20): Deployment[] {
    return (
      this.db
        .prepare('SELECT * FROM deployments WHERE app = ? ORDER BY id DESC LIMIT ?')
        .all(app, limit) as DeploymentRow[]
    ).map(toDeployment);
  }

  /** The id of the newest deployment (0 when none): a mark to ask later whether an app had one since. */
  latestId(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM deployments').get() as { id: number }).id;
  }

  /** Whether a deployment of `app` started after the one with id `mark` (see latestId). */
  startedSince(app: string, mark: number): boolean {
    return this.db.prepare('SELECT 1 FROM deployments WHERE id > ? AND app = ? LIMIT 1').get(mark, app) !== undefined;
  }

  running(): Deployment[] {
    return (
      this.db.prepare("SELECT * FROM deployments WHERE status = 'running' ORDER BY id").all() as DeploymentRow[]
    ).map(toDeployment);
  }

  finish(id: number, status: Exclude<DeploymentStatus, 'running'>, now: string, error?: Deployment['error']): void {
    this.db
      .prepare('UPDATE deployments SET status = ?, finished_at = ?, error_json = ? WHERE id = ?')
      .run(status, now, error ? JSON.stringify(error) : null, id);
  }

  /** Appends planned steps (pending) to the journal; returns their sequence numbers. */
  appendSteps<S>(id: number, steps: S[]): number[] {
    return this.db.transaction(() => {
      const last = this.db.prepare('SELECT MAX(seq) AS s FROM deployment_steps WHERE deployment_id = ?').get(id) as {
        s: number | null;
      };
      const insert = this.db.prepare(
        "INSERT INTO deployment_steps (deployment_id, seq, step_json, status) VALUES (?, ?, ?, 'pending')",
      );
      const base = (last.s ?? 0) + 1;
      steps.forEach((step, i) => insert.run(id, base + i, JSON.stringify(step)));
      return steps.map((_, i) => base + i);
    })();
  }

  markStep(id: number, seq: number, status: StepStatus, now: string, result?: unknown): void {
    const column = status === 'started' ? 'started_at' : 'finished_at';
    this.db
      .prepare(
        `UPDATE deployment_steps SET status = ?, ${column} = ?, ` +
          'result_json = COALESCE(?, result_json) WHERE deployment_id = ? AND seq = ?',
      )
      .run(status, now, result === undefined ? null : JSON.stringify(result), id, seq);
  }

  steps<S>(id: number): JournaledStep<S>[] {
    const rows = this.db
      .prepare('SELECT seq, step_json, status, result_json FROM deployment_steps WHERE deployment_id = ? ORDER BY seq')
      .all(id) as {
      seq: number;
      step_json: string;
      status: StepStatus;
      result_json: string | null;
    }[];
    return rows.map((r) => ({
      seq: r.seq,
      step: JSON.parse(r.step_json) as S,
      status: r.status,
      ...(r.result_json ? { result: JSON.parse(r.result_json) as unknown } : {}),
    }));
  }

  addEvent(id: number, event: SlipwayEvent): void {
    this.db
      .prepare(
        'INSERT INTO deployment_events (deployment_id, seq, event_json) VALUES (?, ' +
          '(SELECT COALESCE(MAX(seq), 0) + 1 FROM deployment_events WHERE deployment_id = ?), ?)',
      )
      .run(id, id, JSON.stringify(event));
  }

  events(id: number): SlipwayEvent[] {
    return (
      this.db.prepare('SELECT event_json FROM deployment_events WHERE deployment_id = ? ORDER BY seq').all(id) as {
        event_json: string;
      }[]
    ).map((r) => JSON.parse(r.event_json) as SlipwayEvent);
  }
}
