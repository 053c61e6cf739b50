import type { AppRoute } from './port.js';

/**
 * What a reload would change: backends, check settings and maintenance pages (servers, hosts,
 * certificates and maintenance on/off are excluded — they are changed at runtime without a reload).
 */
export function routingFingerprint(routes: AppRoute[]): string {
  const shape = routes
    .map((route) => ({
      app: route.app,
      check: { path: route.check.path ?? null, intervalMs: route.check.intervalMs, timeoutMs: route.check.timeoutMs },
      // HAProxy reads a maintenance page file when it loads its config (on/off is a map change, no reload).
      maintenancePage: route.maintenance?.page?.id ?? null,
    }))
    .sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  return JSON.stringify(shape);
}
