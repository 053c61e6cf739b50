import type { Db } from './database.js';

/** One mutating or refused API request: who, what, when, from where, outcome. Never a body or a secret. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  /** The token's name and prefix (`ci slp_ab12…`), never its value. */
  token: string | null;
  method: string;
  path: string;
  app: string | null;
  status: number;
  code: string | null;
  source: string | null;
}

const KEEP = 100_000;

export class AuditRepository {
  constructor(private readonly db: Db) {}

  add(entry: Omit<AuditEntry, 'id'>): void {
    this.db
      .prepare(
        'INSERT INTO audit (at, actor, token, method, path, app, status, code, source) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        entry.at,
        entry.actor,
        entry.token,
        entry.method,
        entry.path,
        entry.app,
        entry.status,
        entry.code,
        entry.source,
      );
    this.db.prepare('DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ?').run(KEEP);
  }

  list(opts: { app?: string; limit?: number } = {}): AuditEntry[] {
    const limit = Math.min(Math.max(opts.limit ?? 100, 1), 10_000);
    const rows = opts.app
      ? this.db.prepare('SELECT * FROM audit WHERE app = ? ORDER BY id DESC LIMIT ?').all(opts.app, limit)
      : this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit);
    return (rows as AuditEntry[]).reverse();
  }
}
