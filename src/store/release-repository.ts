import type { Db } from './database.js';
import type { SecretBox } from './secret-box.js';
import { SlipwayError } from '../core/errors.js';
import type { Build, BuildSource, Release, ReleaseStatus } from '../core/types.js';

interface BuildRow {
  id: number;
  app: string;
  image_id: string;
  image_ref: string;
  source_json: string;
  procfile_json: string | null;
  created_at: string;
}

interface ReleaseRow {
  app: string;
  version: number;
  build_id: number;
  config_enc: string;
  config_keys_json: string;
  description: string;
  status: ReleaseStatus;
  error: string | null;
  created_at: string;
  created_by: string;
  rollback_of: number | null;
  deploy_ms: number | null;
}

function toBuild(row: BuildRow): Build {
  return {
    id: row.id,
    app: row.app,
    imageId: row.image_id,
    imageRef: row.image_ref,
    source: JSON.parse(row.source_json) as BuildSource,
    procfile: row.procfile_json ? (JSON.parse(row.procfile_json) as Record<string, string>) : null,
    createdAt: row.created_at,
  };
}

function toRelease(row: ReleaseRow): Release {
  return {
    app: row.app,
    version: row.version,
    buildId: row.build_id,
    configKeys: JSON.parse(row.config_keys_json) as string[],
    description: row.description,
    status: row.status,
    createdAt: row.created_at,
    createdBy: row.created_by,
    ...(row.error ? { error: row.error } : {}),
    ...(row.rollback_of !== null ? { rollbackOf: row.rollback_of } : {}),
    ...(row.deploy_ms !== null ? { deployMs: row.deploy_ms } : {}),
  };
}

/** Builds and releases (vN = build + config, immutable once written). */
export class ReleaseRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  addBuild(build: Omit<Build, 'id'>): Build {
    const result = this.db
      .prepare(
        'INSERT INTO builds (app, image_id, image_ref, source_json, ' +
          'procfile_json, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        build.app,
        build.imageId,
        build.imageRef,
        JSON.stringify(build.source),
        build.procfile ? JSON.stringify(build.procfile) : null,
        build.createdAt,
      );
    return { ...build, id: Number(result.lastInsertRowid) };
  }

  build(id: number): Build {
    const row = this.db.prepare('SELECT * FROM builds WHERE id = ?').get(id) as BuildRow | undefined;
    if (!row) throw new SlipwayError('NOT_FOUND', `build ${id} does not exist`);
    return toBuild(row);
  }

  /** Creates the next release version atomically. */
  create(input: {
    app: string;
    buildId: number;
    config: Record<string, string>;
    description: string;
    now: string;
    createdBy?: string;
    rollbackOf?: number;
  }): Release {
    return this.db.transaction(() => {
      const last = this.db.prepare('SELECT MAX(version) AS v FROM releases WHERE app = ?').get(input.app) as {
        v: number | null;
      };
      const version = (last.v ?? 0) + 1;
      const keys = Object.keys(input.config).sort();
      this.db
        .prepare(
          'INSERT INTO releases (app, version, build_id, config_enc, config_keys_json, description, ' +
            'status, created_at, created_by, rollback_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          input.app,
          version,
          input.buildId,
          this.box.sealJson(input.config),
          JSON.stringify(keys),
          input.description,
          'pending',
          input.now,
          input.createdBy ?? 'slipway',
          input.rollbackOf ?? null,
        );
      return this.get(input.app, version);
    })();
  }

  list(app: string): Release[] {
    return (this.db.prepare('SELECT * FROM releases WHERE app = ? ORDER BY version DESC').all(app) as ReleaseRow[]).map(
      toRelease,
    );
  }

  find(app: string, version: number): Release | undefined {
    const row = this.db.prepare('SELECT * FROM releases WHERE app = ? AND version = ?').get(app, version) as
      ReleaseRow | undefined;
    return row ? toRelease(row) : undefined;
  }

  get(app: string, version: number): Release {
    const release = this.find(app, version);
    if (!release) {
      throw new SlipwayError('RELEASE_NOT_FOUND', `release v${version} of "${app}" does not exist`, {
        hint: 'list releases with `slipway releases -a ' + app + '`',
      });
    }
    return release;
  }

  config(app: string, version: number): Record<string, string> {
    const row = this.db.prepare('SELECT config_enc FROM releases WHERE app = ? AND version = ?').get(app, version) as
      { config_enc: string } | undefined;
    if (!row) throw new SlipwayError('RELEASE_NOT_FOUND', `release v${version} of "${app}" does not exist`);
    return this.box.openJson<Record<string, string>>(row.config_enc);
  }

  setStatus(app: string, version: number, status: ReleaseStatus, error?: string): void {
    this.db
      .prepare('UPDATE releases SET status = ?, error = ? WHERE app = ? AND version = ?')
      .run(status, error ?? null, app, version);
  }

  setDeployMs(app: string, version: number, ms: number): void {
    this.db.prepare('UPDATE releases SET deploy_ms = ? WHERE app = ? AND version = ?').run(ms, app, version);
  }

  /**
   * Releases whose containers are interchangeable with `version`'s: the same build and the same
   * config (a rollback reuses both). Used so a rollback can keep or re-enable those containers.
   */
  equivalents(app: string, version: number): number[] {
    const target = this.get(app, version);
    const config = JSON.stringify(this.config(app, version));
    return this.list(app)
      .filter(
        (r) =>
          r.version !== version &&
          r.buildId === target.buildId &&
          JSON.stringify(this.config(app, r.version)) === config,
      )
      .map((r) => r.version);
  }

  /** Image references still used by an app's releases (for cleanup on destroy). */
  /** Whether one of the app's own builds made (or deployed) this image id. */
  hasImageId(app: string, imageId: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM builds WHERE app = ? AND image_id = ? LIMIT 1').get(app, imageId) !== undefined
    );
  }

  imageRefs(app: string): string[] {
    return (
      this.db.prepare('SELECT DISTINCT image_ref FROM builds WHERE app = ?').all(app) as { image_ref: string }[]
    ).map((r) => r.image_ref);
  }
}
