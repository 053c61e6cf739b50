import { backendName } from './haproxy-names.js';
import type { AppRoute, RouteServer } from './port.js';
import type { StatRow } from './runtime-commands.js';

/**
 * A reload keeps only the servers written in the config. Servers HAProxy is using right now (UP or
 * draining) that `routes` does not list yet — e.g. added by a deploy still in progress — are kept
 * too, so a reload can never take a serving container out of rotation. Servers not yet UP are not
 * carried over (a config server starts UP, before any check).
 */
export function withLiveServers(routes: AppRoute[], live: StatRow[]): AppRoute[] {
  // By backend once: each route then looks only at its own rows (linear in apps + servers, not their product).
  const byBackend = new Map<string, StatRow[]>();
  for (const row of live) {
    const rows = byBackend.get(row.backend);
    if (rows) rows.push(row);
    else byBackend.set(row.backend, [row]);
  }
  return routes.map((route) => {
    const rows = byBackend.get(backendName(route.app));
    if (!rows) return route;
    const known = new Set(route.servers.map((server) => server.name));
    const extra: RouteServer[] = [];
    for (const row of rows) {
      if (known.has(row.name)) continue;
      const state = row.status.startsWith('UP') ? 'ready' : row.status.startsWith('DRAIN') ? 'drain' : undefined;
      const address = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(row.address);
      if (!state || !address) continue;
      extra.push({ name: row.name, address: address[1]!, port: Number(address[2]), state });
    }
    return extra.length === 0 ? route : { ...route, servers: [...route.servers, ...extra] };
  });
}
