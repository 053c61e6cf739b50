import type { Db } from './database.js';
import { accessLogKey, parseAccessLogFields, type AccessLogLine, type RouterLogEntry } from '../router/access-log.js';

/** Router access log lines kept per app (the newest `maxLinesPerApp`). */
export const ROUTER_LOG_LINES_PER_APP = 10_000;

export interface StoredRouterLine {
  id: number;
  entry: RouterLogEntry;
}

/**
 * Router access log lines per app, capped: the oldest go first. A line is kept as HAProxy wrote its
 * fields (parsed when it is read: most lines are never read). Lines of an app that is gone are not kept.
 */
export class RouterLogRepository {
  constructor(
    private readonly db: Db,
    readonly maxLinesPerApp = ROUTER_LOG_LINES_PER_APP,
  ) {}

  /** Appends in one transaction; lines of apps that do not exist (destroyed, renamed meanwhile) are dropped. */
  append(lines: AccessLogLine[]): void {
    if (lines.length === 0) return;
    const exists = this.db.prepare('SELECT 1 FROM apps WHERE name = ?');
    const insert = this.db.prepare('INSERT INTO router_log_lines (app, fields) VALUES (?, ?)');
    const trim = this.db.prepare(
      'DELETE FROM router_log_lines WHERE app = ? AND id <= ' +
        '(SELECT id FROM router_log_lines WHERE app = ? ORDER BY id DESC LIMIT 1 OFFSET ?)',
    );
    this.db.transaction(() => {
      const apps = new Map<string, boolean>();
      for (const line of lines) {
        let known = apps.get(line.app);
        if (known === undefined) apps.set(line.app, (known = exists.get(line.app) !== undefined));
        if (known) insert.run(line.app, line.fields);
      }
      for (const [app, known] of apps) if (known) trim.run(app, app, this.maxLinesPerApp);
    })();
  }

  /** The keys (`pid:rt`) of the newest stored lines of every app: a ring read again is not stored twice. */
  recentKeys(limit: number): string[] {
    const rows = this.db.prepare('SELECT fields FROM router_log_lines ORDER BY id DESC LIMIT ?').all(limit) as {
      fields: string;
    }[];
    return rows.map((row) => accessLogKey(row.fields));
  }

  /** The id after which the newest `tail` lines of the app begin (0: from the first), and the newest id. */
  tailBounds(app: string, tail: number): { afterId: number; lastId: number } {
    const last = this.db.prepare('SELECT MAX(id) AS id FROM router_log_lines WHERE app = ?').get(app) as {
      id: number | null;
    };
    const lastId = last.id ?? 0;
    if (tail <= 0) return { afterId: lastId, lastId };
    const first = this.db
      .prepare('SELECT id FROM router_log_lines WHERE app = ? ORDER BY id DESC LIMIT 1 OFFSET ?')
      .get(app, tail - 1) as { id: number } | undefined;
    return { afterId: first ? first.id - 1 : 0, lastId };
  }

  /** Lines with afterId < id ≤ untilId, oldest first, a page at a time (never all in memory). */
  *between(app: string, afterId: number, untilId: number, pageSize = 500): Generator<StoredRouterLine> {
    const page = this.db.prepare(
      'SELECT id, fields FROM router_log_lines WHERE app = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?',
    );
    let after = afterId;
    for (;;) {
      const rows = page.all(app, after, untilId, pageSize) as { id: number; fields: string }[];
      // The row's app, not the backend named in the line: the app may have been renamed since.
      for (const row of rows) {
        const entry = parseAccessLogFields(app, row.fields);
        if (entry) yield { id: row.id, entry };
      }
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.id;
    }
  }
}
