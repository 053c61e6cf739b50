import type { Db } from './database.js';

export interface StoredLogLine {
  time: string;
  dyno: string;
  release: string;
  stream: 'stdout' | 'stderr';
  text: string;
  containerId: string;
}

/** Log lines of removed containers, kept per app with a cap so logs outlive deploys. */
export class LogRepository {
  constructor(private readonly db: Db, private readonly maxLinesPerApp = 20_000) {}

  append(app: string, lines: StoredLogLine[]): void {
    if (lines.length === 0) return;
    this.db.transaction(() => {
      const insert = this.db.prepare('INSERT INTO log_lines (app, time, dyno, release, stream, text, container_id) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const l of lines) insert.run(app, l.time, l.dyno, l.release, l.stream, l.text.slice(0, 8192), l.containerId);
      const count = (this.db.prepare('SELECT COUNT(*) AS n FROM log_lines WHERE app = ?').get(app) as { n: number }).n;
      if (count > this.maxLinesPerApp) {
        this.db
          .prepare('DELETE FROM log_lines WHERE id IN (SELECT id FROM log_lines WHERE app = ? ORDER BY time, id LIMIT ?)')
          .run(app, count - this.maxLinesPerApp);
      }
    })();
  }

  /** The newest `limit` lines (oldest first), optionally of one process type. */
  recent(app: string, limit: number, process?: string): StoredLogLine[] {
    const rows = (
      process
        ? this.db.prepare("SELECT * FROM log_lines WHERE app = ? AND dyno LIKE ? ORDER BY time DESC, id DESC LIMIT ?").all(app, `${process}.%`, limit)
        : this.db.prepare('SELECT * FROM log_lines WHERE app = ? ORDER BY time DESC, id DESC LIMIT ?').all(app, limit)
    ) as { time: string; dyno: string; release: string; stream: 'stdout' | 'stderr'; text: string; container_id: string }[];
    return rows.reverse().map((r) => ({ time: r.time, dyno: r.dyno, release: r.release, stream: r.stream, text: r.text, containerId: r.container_id }));
  }

  hasContainer(containerId: string): boolean {
    return this.db.prepare('SELECT 1 FROM log_lines WHERE container_id = ? LIMIT 1').get(containerId) !== undefined;
  }
}
