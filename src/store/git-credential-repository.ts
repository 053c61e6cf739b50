import type { Db } from './database.js';
import type { SecretBox } from './secret-box.js';
import type { GitCredentials } from '../hooks/git-fetch.js';

/** The credentials an app's pushed commits are fetched with (`git:credentials:set`); the password sealed at rest. */
export class GitCredentialRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /** What users see: never the password. */
  info(app: string): { username: string; updatedAt: string } | undefined {
    const row = this.db.prepare('SELECT username, updated_at FROM git_credentials WHERE app = ?').get(app) as
      { username: string; updated_at: string } | undefined;
    return row ? { username: row.username, updatedAt: row.updated_at } : undefined;
  }

  /** For a fetch only. */
  get(app: string): GitCredentials | undefined {
    const row = this.db.prepare('SELECT username, password_sealed FROM git_credentials WHERE app = ?').get(app) as
      { username: string; password_sealed: string } | undefined;
    return row ? { username: row.username, password: this.box.open(row.password_sealed) } : undefined;
  }

  put(app: string, creds: GitCredentials, now: string): void {
    this.db
      .prepare(
        'INSERT INTO git_credentials (app, username, password_sealed, updated_at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT(app) DO UPDATE SET username = excluded.username, ' +
          'password_sealed = excluded.password_sealed, updated_at = excluded.updated_at',
      )
      .run(app, creds.username, this.box.seal(creds.password), now);
  }

  remove(app: string): boolean {
    return this.db.prepare('DELETE FROM git_credentials WHERE app = ?').run(app).changes > 0;
  }
}
