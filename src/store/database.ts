import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/** Opens (creating when needed) the SQLite store and applies pending migrations. */
export function openDatabase(file: string): Db {
  const db = new Database(file);
  reuseStatements(db);
  db.pragma('journal_mode = WAL');
  // In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit survives a crash of this
  // process (kill -9 included); only a power loss or kernel crash can undo the last commits, never
  // corrupt the file. FULL cost an fsync per commit (1.3 ms here), i.e. tens of ms per deploy step list.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** Compiled statements kept (by SQL text); repositories use only a few dozen texts. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Repositories call `db.prepare(sql)` for every query, and better-sqlite3 compiles the SQL each time (it
 * was the server's largest single cost with hundreds of apps: the router's routes read a few queries per
 * app). A statement is reusable, so each text is compiled once and kept (least recently used dropped past
 * the bound). Safe because no statement is iterated, bound (`bind`) or switched to pluck/raw/expand mode.
 */
function reuseStatements(db: Db): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    const cached = cache.get(sql);
    if (cached) {
      cache.delete(sql);
      cache.set(sql, cached);
      return cached;
    }
    const statement = compile(sql);
    cache.set(sql, statement);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return statement;
  };
  db.prepare = prepare as Db['prepare'];
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  for (const [index, sql] of MIGRATIONS.entries()) {
    const version = index + 1;
    if (applied.has(version)) continue;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        version,
        new Date().toISOString(),
      );
    })();
  }
}
