import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { SlipwayError } from '../core/errors.js';
import type { AuthPrincipal } from '../auth/auth-service.js';

/** The caller of a server that has one token and no users: an admin. */
export const TOKEN_PRINCIPAL: AuthPrincipal = {
  user: { id: 0, name: 'admin', role: 'admin', createdAt: '', hasPassword: false },
  token: {
    id: 0,
    user: 'admin',
    name: 'local',
    app: null,
    scope: 'admin',
    prefix: 'local',
    createdAt: '',
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
  },
};

/** `Authorization: Bearer <token>` names `token` (compared in constant time). */
export function authenticate(header: string | undefined, token: string): boolean {
  const auth = header ?? '';
  if (!auth.startsWith('Bearer ')) return false;
  const given = Buffer.from(auth.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Host header values the API answers to: loopback names with its port (`Host` is case-insensitive). */
export function loopbackHosts(port: number): string[] {
  const withPort = (h: string) => (port === 80 ? [h, `${h}:80`] : [`${h}:${port}`]);
  return ['127.0.0.1', 'localhost', '[::1]'].flatMap(withPort);
}

/**
 * DNS rebinding: a web page on evil.example that resolves its own name to 127.0.0.1 can make the
 * browser send requests here, with `Host: evil.example`. Only the API's own names are answered.
 */
export function assertAllowedHost(req: http.IncomingMessage, allowed: Set<string>): void {
  const host = (req.headers.host ?? '').toLowerCase();
  if (allowed.has(host)) return;
  const shown = host === '' ? 'no Host header' : `Host ${JSON.stringify(host.slice(0, 100))}`;
  throw new SlipwayError(
    'HOST_NOT_ALLOWED',
    `this API answers only to ${[...allowed].join(', ')}; the request named ${shown}`,
    {
      hint: 'call the API as http://127.0.0.1:PORT (web pages on other hosts cannot use it: DNS rebinding protection)',
    },
  );
}

/** A path parameter, %-decoded; a malformed escape is the client's error, not the server's. */
export function decodePathParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new SlipwayError(
      'INVALID_INPUT',
      `malformed %-escape in the request path (${JSON.stringify(raw.slice(0, 60))})`,
      { hint: 'encode path segments with encodeURIComponent' },
    );
  }
}

/** A query parameter that must be a whole number in [min, max]; `fallback` when absent. */
export function intQuery(
  query: URLSearchParams,
  name: string,
  opts: { min: number; max: number; fallback: number },
): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return opts.fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < opts.min || Number(raw) > opts.max) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `${name} must be a whole number from ${opts.min} to ${opts.max} (got ${JSON.stringify(raw.slice(0, 40))})`,
      { hint: `e.g. ?${name}=${opts.fallback}` },
    );
  }
  return Number(raw);
}

/**
 * Repeated `name=KEY=VALUE` query parameters (`buildArg`, `env`, `option`) as an object; an entry
 * without `=` or with an empty key is the client's error.
 */
export function pairsQuery(query: URLSearchParams, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of query.getAll(name)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new SlipwayError('INVALID_INPUT', `${name} must be KEY=VALUE (got ${JSON.stringify(pair.slice(0, 40))})`, {
        hint: `e.g. ?${name}=KEY%3Dvalue`,
      });
    }
    const key = pair.slice(0, eq);
    Object.defineProperty(out, key, {
      value: pair.slice(eq + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
