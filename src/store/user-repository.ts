import type { Db } from './database.js';

export type Role = 'admin' | 'member';
export type TokenScope = 'read' | 'deploy' | 'admin';

export interface User {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  hasPassword: boolean;
}

/** A token as it is shown: never its value, which is kept only as a SHA-256. */
export interface TokenInfo {
  id: number;
  user: string;
  name: string;
  app: string | null;
  scope: TokenScope;
  /** The first characters of the token, to recognise it. */
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface UserRow {
  id: number;
  name: string;
  role: Role;
  password_hash: string | null;
  created_at: string;
}

interface TokenRow {
  id: number;
  user: string;
  name: string;
  app: string | null;
  scope: TokenScope;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdAt: r.created_at,
  hasPassword: r.password_hash !== null,
});

const toToken = (r: TokenRow): TokenInfo => ({
  id: r.id,
  user: r.user,
  name: r.name,
  app: r.app,
  scope: r.scope,
  prefix: r.prefix,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

const TOKEN_SELECT =
  'SELECT t.id, u.name AS user, t.name, t.app, t.scope, t.prefix, t.created_at, t.expires_at, t.revoked_at, ' +
  't.last_used_at FROM tokens t JOIN users u ON u.id = t.user_id';

/** Users, their tokens (hashes only) and the apps members may act on. */
export class UserRepository {
  constructor(private readonly db: Db) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  list(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[]).map(toUser);
  }

  find(name: string): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
    return row ? toUser(row) : undefined;
  }

  passwordHash(name: string): string | undefined {
    const row = this.db.prepare('SELECT password_hash FROM users WHERE name = ?').get(name) as
      { password_hash: string | null } | undefined;
    return row?.password_hash ?? undefined;
  }

  add(name: string, role: Role, passwordHash: string | null, now: string): User {
    this.db
      .prepare('INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)')
      .run(name, role, passwordHash, now);
    return this.find(name)!;
  }

  setPasswordHash(name: string, hash: string | null): boolean {
    return this.db.prepare('UPDATE users SET password_hash = ? WHERE name = ?').run(hash, name).changes > 0;
  }

  remove(name: string): boolean {
    return this.db.prepare('DELETE FROM users WHERE name = ?').run(name).changes > 0;
  }

  addToken(
    user: User,
    token: {
      name: string;
      app: string | null;
      scope: TokenScope;
      hash: string;
      prefix: string;
      expiresAt: string | null;
    },
    now: string,
  ): TokenInfo {
    const id = this.db
      .prepare(
        'INSERT INTO tokens (user_id, name, app, scope, hash, prefix, created_at, expires_at) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(user.id, token.name, token.app, token.scope, token.hash, token.prefix, now, token.expiresAt).lastInsertRowid;
    return this.token(Number(id))!;
  }

  token(id: number): TokenInfo | undefined {
    const row = this.db.prepare(`${TOKEN_SELECT} WHERE t.id = ?`).get(id) as TokenRow | undefined;
    return row ? toToken(row) : undefined;
  }

  /** The token with this hash and its user (revoked and expired ones too: the caller says why it is refused). */
  tokenByHash(hash: string): { token: TokenInfo; user: User } | undefined {
    const row = this.db.prepare(`${TOKEN_SELECT} WHERE t.hash = ?`).get(hash) as TokenRow | undefined;
    if (!row) return undefined;
    const user = this.find(row.user);
    return user ? { token: toToken(row), user } : undefined;
  }

  tokens(user?: string): TokenInfo[] {
    const rows = user
      ? this.db.prepare(`${TOKEN_SELECT} WHERE u.name = ? ORDER BY t.id`).all(user)
      : this.db.prepare(`${TOKEN_SELECT} ORDER BY t.id`).all();
    return (rows as TokenRow[]).map(toToken);
  }

  revoke(id: number, now: string): boolean {
    return (
      this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0
    );
  }

  deleteToken(id: number): void {
    this.db.prepare('DELETE FROM tokens WHERE id = ?').run(id);
  }

  touch(id: number, now: string): void {
    this.db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  hasAccess(app: string, userId: number): boolean {
    return this.db.prepare('SELECT 1 FROM app_access WHERE app = ? AND user_id = ?').get(app, userId) !== undefined;
  }

  grant(app: string, userId: number): void {
    this.db.prepare('INSERT OR IGNORE INTO app_access (app, user_id) VALUES (?, ?)').run(app, userId);
  }

  revokeAccess(app: string, userId: number): boolean {
    return this.db.prepare('DELETE FROM app_access WHERE app = ? AND user_id = ?').run(app, userId).changes > 0;
  }

  access(app: string): string[] {
    const rows = this.db
      .prepare('SELECT u.name FROM app_access a JOIN users u ON u.id = a.user_id WHERE a.app = ? ORDER BY u.name')
      .all(app) as Array<{ name: string }>;
    return rows.map((r) => r.name);
  }

  appsOf(userId: number): string[] {
    const rows = this.db.prepare('SELECT app FROM app_access WHERE user_id = ? ORDER BY app').all(userId) as Array<{
      app: string;
    }>;
    return rows.map((r) => r.app);
  }
}
