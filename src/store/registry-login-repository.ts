import type { Db } from './database.js';
import type { SecretBox } from './secret-box.js';
import type { RegistryAccess } from '../registry/registry-auth.js';

/** A registry login as users see it: never the password. */
export interface RegistryLogin {
  server: string;
  username: string;
  createdAt: string;
}

/** Credentials for the registries images are pulled from (`registry:login`); passwords sealed at rest. */
export class RegistryLoginRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  list(): RegistryLogin[] {
    const rows = this.db
      .prepare('SELECT server, username, created_at FROM registry_logins ORDER BY server')
      .all() as Array<{ server: string; username: string; created_at: string }>;
    return rows.map((r) => ({ server: r.server, username: r.username, createdAt: r.created_at }));
  }

  /** The credentials for `server` (HOST[:PORT], compared case-insensitively), for a pull only. */
  access(server: string): RegistryAccess | undefined {
    const row = this.db
      .prepare('SELECT server, username, password_sealed FROM registry_logins WHERE server = ?')
      .get(server.toLowerCase()) as { server: string; username: string; password_sealed: string } | undefined;
    return row
      ? { server: row.server, username: row.username, password: this.box.open(row.password_sealed) }
      : undefined;
  }

  put(access: RegistryAccess, now: string): void {
    this.db
      .prepare(
        'INSERT INTO registry_logins (server, username, password_sealed, created_at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT(server) DO UPDATE SET username = excluded.username, ' +
          'password_sealed = excluded.password_sealed, created_at = excluded.created_at',
      )
      .run(access.server.toLowerCase(), access.username, this.box.seal(access.password), now);
  }

  remove(server: string): boolean {
    return this.db.prepare('DELETE FROM registry_logins WHERE server = ?').run(server.toLowerCase()).changes > 0;
  }
}
