import type { AppRoute } from '../router/port.js';
import type { Store } from '../store/store.js';
import { appHosts, routeTls } from '../domains/app-hosts.js';

/** The router's desired state, from the store: one backend per app, its hostnames and its servers. */
export function appRoutes(store: Store, domain: string): AppRoute[] {
  const routes = store.routes.all();
  return store.apps.list().map((app) => ({
    app: app.name,
    // `<app>.<domain>` and the app's custom domains; its certificate (if any) for those it covers.
    hosts: appHosts(store, domain, app.name),
    tls: routeTls(store, app.name, appHosts(store, domain, app.name)),
    check: {
      ...(app.settings.healthcheck.path ? { path: app.settings.healthcheck.path } : {}),
      intervalMs: Math.min(Math.max(app.settings.healthcheck.intervalMs, 100), 2000),
      timeoutMs: app.settings.healthcheck.timeoutMs,
    },
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
