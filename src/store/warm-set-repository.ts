import type { Db } from './database.js';

export interface WarmSet {
  app: string;
  release: number;
  expiresAt: string;
}

/** Blue-green: the previous set of containers, kept running (out of rotation) until it expires. */
export class WarmSetRepository {
  constructor(private readonly db: Db) {}

  forApp(app: string): WarmSet[] {
    return this.rows('SELECT * FROM warm_sets WHERE app = ? ORDER BY release', app);
  }

  expired(now: string): WarmSet[] {
    return this.rows('SELECT * FROM warm_sets WHERE expires_at <= ? ORDER BY expires_at', now);
  }

  put(set: WarmSet): void {
    this.db
      .prepare(
        'INSERT INTO warm_sets (app, release, expires_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT(app, release) DO UPDATE SET expires_at = excluded.expires_at',
      )
      .run(set.app, set.release, set.expiresAt);
  }

  remove(app: string, release: number): void {
    this.db.prepare('DELETE FROM warm_sets WHERE app = ? AND release = ?').run(app, release);
  }

  private rows(sql: string, ...params: unknown[]): WarmSet[] {
    return (this.db.prepare(sql).all(...params) as { app: string; release: number; expires_at: string }[]).map((r) => ({
      app: r.app,
      release: r.release,
      expiresAt: r.expires_at,
    }));
  }
}
