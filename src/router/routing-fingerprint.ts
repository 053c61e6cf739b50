import type { AppRoute } from './port.js';

/**
 * What a reload would change: backends and check settings (servers, hosts and certificates are
 * excluded — they are changed at runtime without a reload).
 */
export function routingFingerprint(routes: AppRoute[]): string {
  const shape = routes
    .map((route) => ({
      app: route.app,
      check: { path: route.check.path ?? null, intervalMs: route.check.intervalMs, timeoutMs: route.check.timeoutMs },
    }))
    .sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  return JSON.stringify(shape);
}
