import type { AppRoute, HealthCheckSettings } from '../router/port.js';
import type { AppSettings } from '../core/types.js';
import type { Store } from '../store/store.js';
import { appHosts, routeTls } from '../domains/app-hosts.js';
import { routeMaintenance } from '../apps/maintenance-service.js';

/** The router's desired state, from the store: one backend per app, its hostnames and its servers. */
export function appRoutes(store: Store, domain: string): AppRoute[] {
  const routes = store.routes.all();
  return store.apps.list().map((app) => ({
    app: app.name,
    // `<app>.<domain>` and the app's custom domains; its certificate (if any) for those it covers.
    hosts: appHosts(store, domain, app.name),
    tls: routeTls(store, app.name, appHosts(store, domain, app.name)),
    check: routeCheck(app.settings),
    maintenance: routeMaintenance(store, app.name),
    servers: routes
      .filter((r) => r.app === app.name)
      .map((r) => ({
        name: r.serverName,
        address: r.address,
        port: r.port,
        state: r.state,
        ...(r.weight === undefined ? {} : { weight: r.weight }),
      })),
  }));
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
