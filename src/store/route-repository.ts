import type { Db } from './database.js';
import type { ServerAdminState } from '../router/port.js';

export interface StoredRoute {
  app: string;
  serverName: string;
  containerId: string;
  /** Where HAProxy reaches the server: the container's bridge IP (127.0.0.1 for routes stored before migration 5). */
  address: string;
  port: number;
  state: ServerAdminState;
  /** HAProxy weight when not the default (0 = staged: UP but no traffic). */
  weight?: number;
}

/** Routes stored before migration 5 point at a port published on loopback. */
const LEGACY_ADDRESS = '127.0.0.1';

/**
 * Which container sits behind which HAProxy server: written before the router is told, so a restart can re-apply it.
 */
export class RouteRepository {
  constructor(private readonly db: Db) {}

  all(): StoredRoute[] {
    return this.rows('SELECT * FROM routes ORDER BY app, server_name');
  }

  forApp(app: string): StoredRoute[] {
    return this.rows('SELECT * FROM routes WHERE app = ? ORDER BY server_name', app);
  }

  upsert(route: StoredRoute): void {
    this.db
      .prepare(
        'INSERT INTO routes (app, server_name, container_id, address, port, state, weight) VALUES (?, ?, ?, ?, ' +
          '?, ?, ?) ON CONFLICT(app, server_name) DO UPDATE SET container_id = excluded.container_id, ' +
          'address = excluded.address, port = excluded.port, state = excluded.state, weight = excluded.weight',
      )
      .run(
        route.app,
        route.serverName,
        route.containerId,
        route.address,
        route.port,
        route.state,
        route.weight ?? null,
      );
  }

  setState(app: string, serverName: string, state: ServerAdminState): void {
    this.db.prepare('UPDATE routes SET state = ? WHERE app = ? AND server_name = ?').run(state, app, serverName);
  }

  setWeight(app: string, serverName: string, weight: number | undefined): void {
    this.db
      .prepare('UPDATE routes SET weight = ? WHERE app = ? AND server_name = ?')
      .run(weight ?? null, app, serverName);
  }

  remove(app: string, serverName: string): void {
    this.db.prepare('DELETE FROM routes WHERE app = ? AND server_name = ?').run(app, serverName);
  }

  private rows(sql: string, ...params: unknown[]): StoredRoute[] {
    const rows = this.db.prepare(sql).all(...params) as {
      app: string;
      server_name: string;
      container_id: string;
      address: string | null;
      port: number;
      state: ServerAdminState;
      weight: number | null;
    }[];
    return rows.map((r) => ({
      app: r.app,
      serverName: r.server_name,
      containerId: r.container_id,
      address: r.address ?? LEGACY_ADDRESS,
      port: r.port,
      state: r.state,
      ...(r.weight === null ? {} : { weight: r.weight }),
    }));
  }
}
