import type { AppRoute } from './port.js';

/**
 * What a reload would change: backends, hosts and check settings (servers are excluded — they are
 * changed at runtime without a reload).
 */
export function routingFingerprint(routes: AppRoute[]): string {
  const shape = routes
    .map((route) => ({
      app: route.app,
      hosts: [...route.hosts].sort(),
      check: { path: route.check.path ?? null, intervalMs: route.check.intervalMs, timeoutMs: route.check.timeoutMs },
    }))
    .sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  return JSON.stringify(shape);
}
