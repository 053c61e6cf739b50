import type { Db } from './database.js';
import type { DynoCrashState } from '../deploy/crash-backoff.js';

interface Row {
  app: string;
  dyno: string;
  restarts: number;
  crashes_json: string;
  last_exit_code: number | null;
  last_container: string | null;
  next_restart_at: number | null;
  release: number;
}

/** Each dyno's crash history (restart backoff, crash loops): stored so a server restart keeps it. */
export class DynoCrashRepository {
  constructor(private readonly db: Db) {}

  forApp(app: string): DynoCrashState[] {
    const rows = this.db.prepare('SELECT * FROM dyno_crashes WHERE app = ? ORDER BY dyno').all(app) as Row[];
    return rows.map((r) => ({
      app: r.app,
      dyno: r.dyno,
      release: r.release,
      restarts: r.restarts,
      crashes: parseTimes(r.crashes_json),
      ...(r.last_exit_code === null ? {} : { lastExitCode: r.last_exit_code }),
      ...(r.last_container === null ? {} : { lastContainer: r.last_container }),
      ...(r.next_restart_at === null ? {} : { nextRestartAt: r.next_restart_at }),
    }));
  }

  put(state: DynoCrashState, now = new Date().toISOString()): void {
    this.db
      .prepare(
        'INSERT INTO dyno_crashes (app, dyno, release, restarts, crashes_json, last_exit_code, last_container, ' +
          `next_restart_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(app, dyno) DO UPDATE SET release = excluded.release, restarts = excluded.restarts, ` +
          `crashes_json = excluded.crashes_json,
           last_exit_code = excluded.last_exit_code, last_container = excluded.last_container, ` +
          'next_restart_at = excluded.next_restart_at, updated_at = excluded.updated_at',
      )
      .run(
        state.app,
        state.dyno,
        state.release,
        state.restarts,
        JSON.stringify(state.crashes),
        state.lastExitCode ?? null,
        state.lastContainer ?? null,
        state.nextRestartAt ?? null,
        now,
      );
  }

  /** Forgets dynos that are no longer part of the formation (scaled away). */
  removeExcept(app: string, dynos: string[]): void {
    const keep = new Set(dynos);
    for (const state of this.forApp(app))
      if (!keep.has(state.dyno))
        this.db.prepare('DELETE FROM dyno_crashes WHERE app = ? AND dyno = ?').run(app, state.dyno);
  }
}

function parseTimes(json: string): number[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
  } catch {
    return [];
  }
}
