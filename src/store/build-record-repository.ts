import type { Db } from './database.js';
import { SlipwayError } from '../core/errors.js';
import type { SourceInfo } from '../image-build/source-info.js';

export type BuildStatus = 'running' | 'succeeded' | 'failed';

/** One source build: where it came from, how it went, what it produced (never a secret value). */
export interface BuildRecord {
  /** The build id (also namespaces the build's intermediate images, containers and directories). */
  id: string;
  app: string;
  /** Row in `builds` (what releases reference) once the image exists. */
  buildId: number | null;
  status: BuildStatus;
  strategy?: string;
  source: SourceInfo & { description: string };
  /** sha256 of build.yml (pipelines) or of the Dockerfile. */
  digest?: string;
  imageId?: string;
  imageRef?: string;
  steps: Record<string, unknown>[];
  startedBy: string;
  startedAt: string;
  finishedAt?: string;
  error?: { code: string; message: string; hint?: string };
  /** When image retention removed the image. */
  prunedAt?: string;
}

interface Row {
  id: string;
  app: string;
  build_id: number | null;
  status: BuildStatus;
  strategy: string | null;
  source_json: string;
  digest: string | null;
  image_id: string | null;
  image_ref: string | null;
  steps_json: string;
  started_by: string;
  started_at: string;
  finished_at: string | null;
  error_json: string | null;
  pruned_at: string | null;
}

const COLUMNS =
  'id, app, build_id, status, strategy, source_json, digest, image_id, image_ref, ' +
  'steps_json, started_by, started_at, finished_at, error_json, pruned_at';

function toRecord(row: Row): BuildRecord {
  return {
    id: row.id,
    app: row.app,
    buildId: row.build_id,
    status: row.status,
    ...(row.strategy ? { strategy: row.strategy } : {}),
    source: JSON.parse(row.source_json) as BuildRecord['source'],
    ...(row.digest ? { digest: row.digest } : {}),
    ...(row.image_id ? { imageId: row.image_id } : {}),
    ...(row.image_ref ? { imageRef: row.image_ref } : {}),
    steps: JSON.parse(row.steps_json) as Record<string, unknown>[],
    startedBy: row.started_by,
    startedAt: row.started_at,
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    ...(row.error_json ? { error: JSON.parse(row.error_json) as BuildRecord['error'] } : {}),
    ...(row.pruned_at ? { prunedAt: row.pruned_at } : {}),
  };
}

/** An app's build rows as retention sees them (the `builds` table, read only). */
export interface BuildImageRow {
  id: number;
  imageId: string;
  imageRef: string;
  kind: string;
}

export class BuildRecordRepository {
  constructor(private readonly db: Db) {}

  start(input: { id: string; app: string; source: BuildRecord['source']; startedBy: string; startedAt: string }): void {
    this.db
      .prepare(
        'INSERT INTO build_records (id, app, status, source_json, started_by, started_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(input.id, input.app, 'running', JSON.stringify(input.source), input.startedBy, input.startedAt);
  }

  finish(
    id: string,
    result: {
      buildId: number;
      imageId: string;
      imageRef: string;
      strategy: string;
      digest?: string;
      steps: unknown[];
      log: string;
      finishedAt: string;
    },
  ): void {
    this.db
      .prepare(
        "UPDATE build_records SET status = 'succeeded', build_id = ?, image_id = ?, image_ref = ?, " +
          'strategy = ?, digest = ?, steps_json = ?, log_text = ?, finished_at = ? WHERE id = ?',
      )
      .run(
        result.buildId,
        result.imageId,
        result.imageRef,
        result.strategy,
        result.digest ?? null,
        JSON.stringify(result.steps),
        result.log,
        result.finishedAt,
        id,
      );
  }

  fail(
    id: string,
    result: {
      error: BuildRecord['error'];
      strategy?: string;
      digest?: string;
      steps: unknown[];
      log: string;
      finishedAt: string;
    },
  ): void {
    this.db
      .prepare(
        "UPDATE build_records SET status = 'failed', error_json = ?, strategy = ?, " +
          'digest = ?, steps_json = ?, log_text = ?, finished_at = ? WHERE id = ?',
      )
      .run(
        JSON.stringify(result.error),
        result.strategy ?? null,
        result.digest ?? null,
        JSON.stringify(result.steps),
        result.log,
        result.finishedAt,
        id,
      );
  }

  find(id: string): BuildRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM build_records WHERE id = ?`).get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  get(app: string, id: string): BuildRecord {
    const record = this.find(id);
    if (!record || record.app !== app) {
      throw new SlipwayError('NOT_FOUND', `build ${id} of "${app}" does not exist`, {
        hint: `list builds with \`slipway builds -a ${app}\``,
      });
    }
    return record;
  }

  /** The record of a `builds` row (a release's build), if Slipway built it from source. */
  forBuild(buildId: number): BuildRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM build_records WHERE build_id = ?`).get(buildId) as
      Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(app: string, limit = 50): BuildRecord[] {
    return (
      this.db
        .prepare(`SELECT ${COLUMNS} FROM build_records WHERE app = ? ORDER BY started_at DESC, id DESC LIMIT ?`)
        .all(app, limit) as Row[]
    ).map(toRecord);
  }

  log(id: string): string {
    return (
      (this.db.prepare('SELECT log_text FROM build_records WHERE id = ?').get(id) as { log_text: string } | undefined)
        ?.log_text ?? ''
    );
  }

  /** Release versions per `builds` row of an app. */
  releasesByBuild(app: string): Map<number, number[]> {
    const rows = this.db.prepare('SELECT version, build_id FROM releases WHERE app = ? ORDER BY version').all(app) as {
      version: number;
      build_id: number;
    }[];
    const out = new Map<number, number[]>();
    for (const r of rows) out.set(r.build_id, [...(out.get(r.build_id) ?? []), r.version]);
    return out;
  }

  appBuilds(app: string): BuildImageRow[] {
    const rows = this.db
      .prepare('SELECT id, image_id, image_ref, source_json FROM builds WHERE app = ? ORDER BY id')
      .all(app) as { id: number; image_id: string; image_ref: string; source_json: string }[];
    return rows.map((r) => ({
      id: r.id,
      imageId: r.image_id,
      imageRef: r.image_ref,
      kind: (JSON.parse(r.source_json) as { kind: string }).kind,
    }));
  }

  /** Releases kept warm for blue-green switches (their images must stay). */
  warmReleases(app: string): number[] {
    return (this.db.prepare('SELECT release FROM warm_sets WHERE app = ?').all(app) as { release: number }[]).map(
      (r) => r.release,
    );
  }

  markPruned(buildIds: number[], at: string): void {
    const stmt = this.db.prepare('UPDATE build_records SET pruned_at = ? WHERE build_id = ? AND pruned_at IS NULL');
    this.db.transaction(() => buildIds.forEach((id) => stmt.run(at, id)))();
  }
}
