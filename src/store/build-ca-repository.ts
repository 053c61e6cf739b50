import type { Db } from './database.js';

/** An app's remembered extra CA certificate for builds (`deploy --ca-cert FILE`), PEM text and its SHA-256. */
export interface BuildCaCert {
  pem: string;
  sha256: string;
}

/** The extra CA certificate each app's generated builds trust; kept out of the settings JSON (it can be large). */
export class BuildCaRepository {
  constructor(private readonly db: Db) {}

  get(app: string): BuildCaCert | undefined {
    const row = this.db.prepare('SELECT pem, sha256 FROM app_build_ca WHERE app = ?').get(app) as
      BuildCaCert | undefined;
    return row ? { pem: row.pem, sha256: row.sha256 } : undefined;
  }

  put(app: string, cert: BuildCaCert, now: string): void {
    this.db
      .prepare(
        'INSERT INTO app_build_ca (app, pem, sha256, updated_at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT(app) DO UPDATE SET pem = excluded.pem, sha256 = excluded.sha256, ' +
          'updated_at = excluded.updated_at',
      )
      .run(app, cert.pem, cert.sha256, now);
  }

  remove(app: string): void {
    this.db.prepare('DELETE FROM app_build_ca WHERE app = ?').run(app);
  }
}
