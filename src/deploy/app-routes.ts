import type { AppRoute, HealthCheckSettings } from '../router/port.js';
import type { AppSettings } from '../core/types.js';
import type { Store } from '../store/store.js';
import { defaultHost, routeTls } from '../domains/app-hosts.js';
import { routeMaintenance } from '../apps/maintenance-service.js';

/**
 * The router's desired state, from the store: one backend per app, its hostnames and its servers. Routes
 * and custom domains are read once for every app (not per app: this runs on every route change).
 */
export function appRoutes(store: Store, domain: string): AppRoute[] {
  const routes = byApp(store.routes.all());
  const domains = byApp(store.domains.all());
  return store.apps.list().map((app) => {
    // `<app>.<domain>` and the app's custom domains (sorted); its certificate (if any) for those it covers.
    const hosts = [defaultHost(app.name, domain), ...(domains.get(app.name) ?? []).map((d) => d.host)];
    return {
      app: app.name,
      hosts,
      tls: routeTls(store, app.name, hosts),
      check: routeCheck(app.settings),
      maintenance: routeMaintenance(store, app.name),
      servers: (routes.get(app.name) ?? []).map((r) => ({
        name: r.serverName,
        address: r.address,
        port: r.port,
        state: r.state,
        ...(r.weight === undefined ? {} : { weight: r.weight }),
      })),
    };
  });
}

function byApp<T extends { app: string }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const list = out.get(row.app);
    if (list) list.push(row);
    else out.set(row.app, [row]);
  }
  return out;
}

/** HAProxy's active check of an app's servers, from its settings (the interval kept within 100 ms - 2 s). */
export function routeCheck(settings: AppSettings): HealthCheckSettings {
  const hc = settings.healthcheck;
  return {
    ...(hc.path ? { path: hc.path } : {}),
    intervalMs: Math.min(Math.max(hc.intervalMs, 100), 2000),
    timeoutMs: hc.timeoutMs,
  };
}
