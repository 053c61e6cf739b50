import type { Db } from './database.js';

/** One `apps:rename`: the app's name before, and the restart that relabels its containers. */
export interface AppRename {
  id: number;
  app: string;
  formerName: string;
  deploymentId: number;
  startedAt: string;
  /** Set when every container carries the new name. */
  finishedAt?: string;
  error?: { code: string; message: string };
}

interface Row {
  id: number;
  app: string;
  former_name: string;
  deployment_id: number;
  started_at: string;
  finished_at: string | null;
  error_json: string | null;
}

const toRename = (r: Row): AppRename => ({
  id: r.id,
  app: r.app,
  formerName: r.former_name,
  deploymentId: r.deployment_id,
  startedAt: r.started_at,
  ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
  ...(r.error_json ? { error: JSON.parse(r.error_json) as AppRename['error'] } : {}),
});

/**
 * Renames an app in the store: the app row and every row of every table whose foreign key points at
 * `apps(name)` (found from the schema, so tables added later follow too), in one transaction with
 * foreign keys checked at commit; the app's built image references (`slipway/<name>:…`) follow when
 * their new tags exist. The rename is recorded with the deployment that relabels its containers.
 */
export class AppRenameRepository {
  constructor(private readonly db: Db) {}

  rename(input: {
    from: string;
    to: string;
    deploymentId: number;
    now: string;
    /** Old image reference → new one (the new tag already points at the same image). */
    images: Map<string, string>;
  }): AppRename {
    const { from, to } = input;
    return this.db.transaction(() => {
      this.move(from, to, input.images);
      const result = this.db
        .prepare('INSERT INTO app_renames (app, former_name, deployment_id, started_at) VALUES (?, ?, ?, ?)')
        .run(to, from, input.deploymentId, input.now);
      return this.get(Number(result.lastInsertRowid));
    })();
  }

  /** Takes a rename back (the router refused the new name): the old name, the old image references, no record. */
  undo(id: number, images: Map<string, string>): void {
    const rename = this.get(id);
    this.db.transaction(() => {
      this.move(rename.app, rename.formerName, new Map([...images].map(([before, after]) => [after, before])));
      this.db.prepare('DELETE FROM app_renames WHERE id = ?').run(id);
    })();
  }

  /** The app row and every row naming it get the new name (checked at commit); image references follow. */
  private move(from: string, to: string, images: Map<string, string>): void {
    this.db.pragma('defer_foreign_keys = ON');
    for (const { table, column } of this.appReferences())
      this.db.prepare(`UPDATE "${table}" SET "${column}" = ? WHERE "${column}" = ?`).run(to, from);
    this.db.prepare('UPDATE apps SET name = ? WHERE name = ?').run(to, from);
    for (const [before, after] of images) {
      this.db.prepare('UPDATE builds SET image_ref = ? WHERE app = ? AND image_ref = ?').run(after, to, before);
      this.db.prepare('UPDATE build_records SET image_ref = ? WHERE app = ? AND image_ref = ?').run(after, to, before);
    }
  }

  get(id: number): AppRename {
    return toRename(this.db.prepare('SELECT * FROM app_renames WHERE id = ?').get(id) as Row);
  }

  /** Renames whose relabelling has not finished (resumed at start-up and retried). */
  pending(): AppRename[] {
    return (this.db.prepare('SELECT * FROM app_renames WHERE finished_at IS NULL ORDER BY id').all() as Row[]).map(
      toRename,
    );
  }

  /** The app's latest rename, if it was ever renamed. */
  latest(app: string): AppRename | undefined {
    const row = this.db.prepare('SELECT * FROM app_renames WHERE app = ? ORDER BY id DESC LIMIT 1').get(app) as
      Row | undefined;
    return row ? toRename(row) : undefined;
  }

  finish(id: number, now: string): void {
    this.db.prepare('UPDATE app_renames SET finished_at = ?, error_json = NULL WHERE id = ?').run(now, id);
  }

  /** The last relabelling attempt failed (it is retried). */
  failed(id: number, error: { code: string; message: string }): void {
    this.db.prepare('UPDATE app_renames SET error_json = ? WHERE id = ?').run(JSON.stringify(error), id);
  }

  /** Every (table, column) with a foreign key to apps(name). */
  private appReferences(): { table: string; column: string }[] {
    const tables = this.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[];
    return tables.flatMap(({ name }) =>
      (this.db.pragma(`foreign_key_list("${name}")`) as { table: string; from: string; to: string }[])
        .filter((fk) => fk.table === 'apps' && (fk.to === 'name' || fk.to === null))
        .map((fk) => ({ table: name, column: fk.from })),
    );
  }
}
