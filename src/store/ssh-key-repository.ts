import type { Db } from './database.js';

/** A user's SSH public key as it is shown. */
export interface SshKey {
  id: number;
  user: string;
  name: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** The OpenSSH line `TYPE BASE64` (the comment is the name). */
  publicKey: string;
  createdAt: string;
  lastUsedAt: string | null;
}

interface KeyRow {
  id: number;
  user: string;
  name: string;
  fingerprint: string;
  public_key: string;
  created_at: string;
  last_used_at: string | null;
}

const toKey = (r: KeyRow): SshKey => ({
  id: r.id,
  user: r.user,
  name: r.name,
  fingerprint: r.fingerprint,
  publicKey: r.public_key,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

const SELECT =
  'SELECT k.id, u.name AS user, k.name, k.fingerprint, k.public_key, k.created_at, k.last_used_at ' +
  'FROM ssh_keys k JOIN users u ON u.id = k.user_id';

/** Users' SSH public keys (git push over SSH). */
export class SshKeyRepository {
  constructor(private readonly db: Db) {}

  add(userId: number, key: { name: string; fingerprint: string; publicKey: string }, now: string): SshKey {
    const result = this.db
      .prepare('INSERT INTO ssh_keys (user_id, name, fingerprint, public_key, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(userId, key.name, key.fingerprint, key.publicKey, now);
    return toKey(this.db.prepare(`${SELECT} WHERE k.id = ?`).get(Number(result.lastInsertRowid)) as KeyRow);
  }

  byFingerprint(fingerprint: string): SshKey | undefined {
    const row = this.db.prepare(`${SELECT} WHERE k.fingerprint = ?`).get(fingerprint) as KeyRow | undefined;
    return row ? toKey(row) : undefined;
  }

  list(user: string): SshKey[] {
    return (this.db.prepare(`${SELECT} WHERE u.name = ? ORDER BY k.name`).all(user) as KeyRow[]).map(toKey);
  }

  remove(id: number): void {
    this.db.prepare('DELETE FROM ssh_keys WHERE id = ?').run(id);
  }

  touch(id: number, now: string): void {
    this.db.prepare('UPDATE ssh_keys SET last_used_at = ? WHERE id = ?').run(now, id);
  }
}
