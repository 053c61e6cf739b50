import type { Db } from './database.js';

export interface StoppedProcess {
  app: string;
  type: string;
  stoppedAt: string;
  stoppedBy: string;
}

/** Process types stopped with `ps:stop`: not run (their formation count is kept) until `ps:start`. */
export class StoppedProcessRepository {
  constructor(private readonly db: Db) {}

  forApp(app: string): StoppedProcess[] {
    const rows = this.db.prepare('SELECT * FROM stopped_processes WHERE app = ? ORDER BY process_type').all(app) as {
      app: string;
      process_type: string;
      stopped_at: string;
      stopped_by: string;
    }[];
    return rows.map((r) => ({ app: r.app, type: r.process_type, stoppedAt: r.stopped_at, stoppedBy: r.stopped_by }));
  }

  types(app: string): Set<string> {
    return new Set(this.forApp(app).map((s) => s.type));
  }

  stop(app: string, type: string, now: string, actor: string): void {
    this.db
      .prepare(
        'INSERT INTO stopped_processes (app, process_type, stopped_at, stopped_by) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT(app, process_type) DO NOTHING',
      )
      .run(app, type, now, actor);
  }

  start(app: string, type: string): void {
    this.db.prepare('DELETE FROM stopped_processes WHERE app = ? AND process_type = ?').run(app, type);
  }
}
