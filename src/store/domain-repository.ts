import type { Db } from './database.js';

export interface StoredDomain {
  host: string;
  app: string;
  createdAt: string;
}

/** Custom hostnames: one app per host (primary key); rows go with their app (FK cascade). */
export class DomainRepository {
  constructor(private readonly db: Db) {}

  all(): StoredDomain[] {
    return this.rows('SELECT * FROM domains ORDER BY app, host');
  }

  forApp(app: string): StoredDomain[] {
    return this.rows('SELECT * FROM domains WHERE app = ? ORDER BY host', app);
  }

  find(host: string): StoredDomain | undefined {
    return this.rows('SELECT * FROM domains WHERE host = ?', host)[0];
  }

  add(domain: StoredDomain): void {
    this.db
      .prepare('INSERT INTO domains (host, app, created_at) VALUES (?, ?, ?)')
      .run(domain.host, domain.app, domain.createdAt);
  }

  remove(host: string): void {
    this.db.prepare('DELETE FROM domains WHERE host = ?').run(host);
  }

  private rows(sql: string, ...params: unknown[]): StoredDomain[] {
    const rows = this.db.prepare(sql).all(...params) as { host: string; app: string; created_at: string }[];
    return rows.map((r) => ({ host: r.host, app: r.app, createdAt: r.created_at }));
  }
}
