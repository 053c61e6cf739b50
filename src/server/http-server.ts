import http from 'node:http';
import { chmod, rm } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { SlipwayError, httpStatusFor, toSlipwayError } from '../core/errors.js';
import { sendError, sendJson, type PublicRoute, type Route } from './http-kit.js';
import { assertAllowedHost, authenticate, decodePathParam, TOKEN_PRINCIPAL } from './request-guard.js';
import type { AuthPrincipal } from '../auth/auth-service.js';

export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, url: URL) => Promise<void>;

/** The longest a single request (an upload) may take to arrive. */
export const UPLOAD_REQUEST_TIMEOUT_MS = 60 * 60_000;

/** Users and tokens (AuthService): who a request is, whether it may, and the audit record of it. */
export interface ApiAuth {
  authenticate(header: string | undefined): AuthPrincipal;
  authorize(p: AuthPrincipal, method: string, path: string, query: URLSearchParams): void;
  audit(entry: AuditRecord): void;
}

export interface AuditRecord {
  principal: AuthPrincipal | undefined;
  method: string;
  path: string;
  status: number;
  code: string | undefined;
  source: string | undefined;
  /** Who a request that is not token-authenticated was (a webhook delivery: `webhook:github`). */
  actor?: string;
}

export interface ApiServerOptions {
  /** The one token of a server without users (tests of single route sets); ignored when `auth` is given. */
  token?: string;
  auth?: ApiAuth;
  /** Host header values answered (DNS rebinding protection), e.g. loopbackHosts(port). */
  allowedHosts: string[];
  upgrade?: { handle: UpgradeHandler; reject: (socket: Duplex, err: unknown) => void };
  /**
   * Requests come through HAProxy (the remote API's proxy socket): the client's address is the last
   * X-Forwarded-For entry, the one HAProxy added. Never set on a listener anyone else can reach.
   */
  forwarded?: boolean;
  /**
   * Routes whose requests prove themselves (webhook signatures, a login's password): dispatched before
   * token authentication.
   */
  publicRoutes?: PublicRoute[];
  /** git over HTTP (`/git/<app>.git/…`): its own Basic auth and answers; tells who it authenticated. */
  git?: (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    onPrincipal: (p: AuthPrincipal) => void,
  ) => Promise<void>;
}

/**
 * The API server: Host check, token auth, route dispatch, one error mapping; upgrades (interactive runs) are checked
 * the same way.
 */
export function createApiServer(routes: Route[], opts: ApiServerOptions): http.Server {
  const { upgrade } = opts;
  const auth = opts.auth ?? singleToken(opts.token ?? '');
  const allowedHosts = new Set(opts.allowedHosts.map((h) => h.toLowerCase()));
  // Node's default header limit (16 KiB): the CA certificate of `deploy --ca-cert` travels inside the upload.
  // Node ends a request that is not fully received within 5 minutes by default: a large upload over a
  // slow link needs longer. Uploads have their own size limits; headers must still arrive in 60 s.
  const server = http.createServer(
    { requestTimeout: UPLOAD_REQUEST_TIMEOUT_MS, headersTimeout: 60_000 },
    (req, res) => {
      const controller = new AbortController();
      res.on('close', () => controller.abort());
      let audited: AuthPrincipal | undefined;
      let publicActor: string | undefined;
      // Every mutating request, and every refused one, is kept: who, what, from where, the outcome (also when
      // the client left before the end: 'close' always comes).
      res.on('close', () => {
        const status = res.statusCode;
        if (req.method === 'GET' && status !== 401 && status !== 403) return;
        const code = String(res.getHeader('x-slipway-error') ?? '') || undefined;
        audit(auth, req, audited, status, code, opts.forwarded, publicActor);
      });
      void (async () => {
        try {
          assertAllowedHost(req, allowedHosts);
          const url = new URL(req.url ?? '/', 'http://localhost');
          if (url.pathname === '/v1/health') return sendJson(res, 200, { ok: true });
          if (opts.git && url.pathname.startsWith('/git/')) return await opts.git(req, res, url, (p) => (audited = p));
          const source = clientAddress(req, opts.forwarded);
          const base = { req, res, query: url.searchParams, signal: controller.signal, source };
          // A webhook delivery carries no token: its signature is checked by its route, before anything is parsed.
          const open = matchRoute(opts.publicRoutes ?? [], req.method, url.pathname);
          if (open) {
            publicActor = open.route.actor(open.params);
            return await open.route.handler({ ...base, params: open.params, actor: publicActor });
          }
          const principal = auth.authenticate(req.headers['authorization']);
          audited = principal;
          auth.authorize(principal, req.method ?? 'GET', url.pathname, url.searchParams);
          const found = matchRoute(routes, req.method, url.pathname);
          if (found)
            return await found.route.handler({ ...base, params: found.params, actor: principal.user.name, principal });
          throw new SlipwayError('NOT_FOUND', `no API route ${req.method} ${url.pathname}`);
        } catch (err) {
          sendError(res, err);
        }
      })();
    },
  );
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    if (!upgrade) return void socket.destroy();
    let principal: AuthPrincipal | undefined;
    try {
      assertAllowedHost(req, allowedHosts);
      const url = new URL(req.url ?? '/', 'http://localhost');
      principal = auth.authenticate(req.headers['authorization']);
      auth.authorize(principal, 'GET', url.pathname, url.searchParams);
    } catch (err) {
      const e = toSlipwayError(err);
      audit(auth, req, principal, httpStatusFor(e.code), e.code, opts.forwarded);
      return upgrade.reject(socket, err);
    }
    // An interactive run or exec is as mutating as it gets: kept like any POST (status 101: it started).
    audit(auth, req, principal, 101, undefined, opts.forwarded);
    const url = new URL(req.url ?? '/', 'http://localhost');
    upgrade.handle(req, socket, url).catch((err: unknown) => upgrade.reject(socket, err));
  });
  return server;
}

/** The first route of `method` whose pattern matches `path`, with its %-decoded params. */
function matchRoute<R extends Route>(
  routes: R[],
  method: string | undefined,
  path: string,
): { route: R; params: Record<string, string> } | undefined {
  for (const r of routes) {
    const match = r.method === method ? r.pattern.exec(path) : null;
    if (match)
      return { route: r, params: Object.fromEntries(r.keys.map((k, i) => [k, decodePathParam(match[i + 1] ?? '')])) };
  }
  return undefined;
}

function clientAddress(req: http.IncomingMessage, forwarded: boolean | undefined): string {
  return forwarded ? forwardedClient(req) : (req.socket.remoteAddress ?? 'unknown');
}

/** The address HAProxy appended to X-Forwarded-For (a client's own entries come before it). */
export function forwardedClient(req: http.IncomingMessage): string {
  const raw = req.headers['x-forwarded-for'];
  const joined = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  const last = joined.split(',').pop()?.trim() ?? '';
  return /^[0-9a-fA-F:.]{2,45}$/.test(last) ? `${last} (https)` : '(https, no client address)';
}
/** What listen() needs of a server (node's http and net servers, ssh2's). */
export interface Listenable {
  listen(port: number, host: string, callback: () => void): unknown;
  once(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  off(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
}

const API_PORT_HINT = 'stop whatever listens there (is a Slipway server already running?) or set SLIPWAY_API_PORT';

/** Listens on 127.0.0.1:port; EADDRINUSE becomes PORT_IN_USE with a hint. */
export function listen(
  server: Listenable,
  port: number,
  host = '127.0.0.1',
  what: { name: string; hint: string } = { name: 'API', hint: API_PORT_HINT },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new SlipwayError('PORT_IN_USE', `${what.name} port ${port} on ${host} is already in use`, {
              hint: what.hint,
            })
          : err,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Listens on a unix socket only this user reaches (mode 600); a stale socket file is replaced. */
export async function listenSocket(server: http.Server, file: string): Promise<void> {
  await rm(file, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(file, 0o600);
}

/** A server with one token and no users: that token is an admin's. */
function singleToken(token: string): ApiAuth {
  return {
    authenticate(header) {
      if (!token || !authenticate(header, token))
        throw new SlipwayError('UNAUTHORIZED', 'missing or wrong API token', {
          hint: "the CLI reads the token from SLIPWAY_HOME/token; set SLIPWAY_HOME to the server's",
        });
      return TOKEN_PRINCIPAL;
    },
    authorize: () => undefined,
    audit: () => undefined,
  };
}

/** One audit record; a failure to write it is reported, never a crash of the server. */
function audit(
  auth: ApiAuth,
  req: http.IncomingMessage,
  principal: AuthPrincipal | undefined,
  status: number,
  code: string | undefined,
  forwarded: boolean | undefined,
  actor?: string,
): void {
  try {
    auth.audit({
      ...(actor ? { actor } : {}),
      principal,
      method: req.method ?? '?',
      path: (req.url ?? '/').split('?')[0]!.slice(0, 500),
      status,
      code,
      source: clientAddress(req, forwarded),
    });
  } catch (err) {
    process.stderr.write(`audit: could not record ${req.method} ${req.url}: ${String(err)}\n`);
  }
}
