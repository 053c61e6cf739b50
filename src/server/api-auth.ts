import type { Slipway } from '../slipway.js';
import type { ApiAuth } from './http-server.js';

/** Authentication, authorization and the audit log of the API, from the AuthService and the store. */
export function apiAuth(slipway: Slipway): ApiAuth {
  return {
    authenticate: (header) => slipway.auth.authenticate(header),
    authorize: (p, method, path, query) => slipway.auth.authorize(p, method, path, query),
    audit: (e) =>
      slipway.store.audit.add({
        at: new Date().toISOString(),
        actor: e.principal?.user.name ?? e.actor ?? '(not authenticated)',
        token: e.principal ? `${e.principal.token.name} (${e.principal.token.prefix}…)` : null,
        method: e.method,
        path: e.path,
        app: appOfPath(e.path),
        status: e.status,
        code: e.code ?? null,
        source: e.source ?? null,
      }),
  };
}

function appOfPath(path: string): string | null {
  const m = /^\/v1\/apps\/([^/]+)/.exec(path) ?? /^\/hooks\/[^/]+\/([^/]+)$/.exec(path);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!).slice(0, 100);
  } catch {
    return null;
  }
}
