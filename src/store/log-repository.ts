import type { Db } from './database.js';

export interface StoredLogLine {
  time: string;
  dyno: string;
  release: string;
  stream: 'stdout' | 'stderr';
  text: string;
  containerId: string;
}

interface LogRow {
  id: number;
  time: string;
  dyno: string;
  release: string;
  stream: 'stdout' | 'stderr';
  text: string;
  container_id: string;
}

/** Lines of one app, optionally of one process type (dyno `TYPE.N`; no LIKE, so `_` is not a wildcard). */
function processFilter(app: string, process?: string): { where: string; args: unknown[] } {
  return process
    ? { where: 'app = ? AND substr(dyno, 1, ?) = ?', args: [app, process.length + 1, `${process}.`] }
    : { where: 'app = ?', args: [app] };
}

/** Longest text of one archived line (characters). */
export const MAX_ARCHIVED_LINE_CHARS = 8192;

/** Log lines of removed containers, kept per app with a cap so logs outlive deploys. */
export class LogRepository {
  constructor(
    private readonly db: Db,
    private readonly maxLinesPerApp = 20_000,
  ) {}

  append(app: string, lines: StoredLogLine[]): void {
    if (lines.length === 0) return;
    this.db.transaction(() => {
      const insert = this.db.prepare(
        'INSERT INTO log_lines (app, time, dyno, release, stream, text, container_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const l of lines)
        insert.run(app, l.time, l.dyno, l.release, l.stream, l.text.slice(0, MAX_ARCHIVED_LINE_CHARS), l.containerId);
      const count = (this.db.prepare('SELECT COUNT(*) AS n FROM log_lines WHERE app = ?').get(app) as { n: number }).n;
      if (count > this.maxLinesPerApp) {
        this.db
          .prepare(
            'DELETE FROM log_lines WHERE id IN (SELECT id FROM log_lines WHERE app = ? ORDER BY time, id LIMIT ?)',
          )
          .run(app, count - this.maxLinesPerApp);
      }
    })();
  }

  /**
   * The times (and containers) of the newest `limit` lines, oldest first: to locate a backlog without reading texts.
   */
  *newestTimes(app: string, limit: number, process?: string): Generator<{ time: string; containerId: string }> {
    if (limit <= 0) return;
    const filter = processFilter(app, process);
    const first = this.db
      .prepare(`SELECT time, id FROM log_lines WHERE ${filter.where} ORDER BY time DESC, id DESC LIMIT 1 OFFSET ?`)
      .get(...filter.args, limit - 1) as { time: string; id: number } | undefined;
    // Fewer lines than the limit: from the oldest.
    const start = first ? { time: first.time, id: first.id - 1 } : { time: '', id: -1 };
    for (const r of this.pages<{ time: string; id: number; container_id: string }>(
      'time, id, container_id',
      filter,
      start,
      undefined,
      limit,
    ))
      yield { time: r.time, containerId: r.container_id };
  }

  /**
   * Lines with `from` ≤ time ≤ `until` (either end open), oldest first, at most `limit`, read a page
   * at a time: the selection is never in memory whole, and no statement stays open between pages.
   */
  *between(
    app: string,
    range: { from?: string; until?: string },
    process?: string,
    limit = Number.POSITIVE_INFINITY,
  ): Generator<StoredLogLine> {
    const start = range.from === undefined ? { time: '', id: -1 } : { time: range.from, id: -1 };
    for (const r of this.pages<LogRow>('*', processFilter(app, process), start, range.until, limit)) {
      yield {
        time: r.time,
        dyno: r.dyno,
        release: r.release,
        stream: r.stream,
        text: r.text,
        containerId: r.container_id,
      };
    }
  }

  /** Keyset pagination in (time, id) order from after `start`. */
  private *pages<R extends { time: string; id: number }>(
    columns: string,
    filter: { where: string; args: unknown[] },
    start: { time: string; id: number },
    until: string | undefined,
    limit: number,
    pageSize = 500,
  ): Generator<R> {
    const upper = until === undefined ? '' : ' AND time <= ?';
    const page = this.db.prepare(
      `SELECT ${columns} FROM log_lines WHERE ${filter.where}${upper} AND ` +
        '(time > ? OR (time = ? AND id > ?)) ORDER BY time, id LIMIT ?',
    );
    let after = start;
    let left = limit;
    while (left > 0) {
      const size = Math.min(pageSize, left);
      const rows = page.all(
        ...filter.args,
        ...(until === undefined ? [] : [until]),
        after.time,
        after.time,
        after.id,
        size,
      ) as R[];
      yield* rows;
      if (rows.length < size) return;
      left -= rows.length;
      after = rows[rows.length - 1]!;
    }
  }

  hasContainer(containerId: string): boolean {
    return this.db.prepare('SELECT 1 FROM log_lines WHERE container_id = ? LIMIT 1').get(containerId) !== undefined;
  }
}
