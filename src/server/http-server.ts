import http from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { SlipwayError } from '../core/errors.js';
import { sendError, sendJson, type Route } from './http-kit.js';

/** The request carries `Authorization: Bearer <token>` (compared in constant time). */
function authorized(req: http.IncomingMessage, token: string): boolean {
  const auth = req.headers['authorization'] ?? '';
  if (!auth.startsWith('Bearer ')) return false;
  const given = Buffer.from(auth.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, url: URL) => Promise<void>;

/** The API server: token auth, route dispatch, one error mapping; upgrades (interactive runs) are authenticated too. */
export function createApiServer(routes: Route[], token: string, upgrade?: { handle: UpgradeHandler; reject: (socket: Duplex, err: unknown) => void }): http.Server {
  // Large enough for build options that carry a CA bundle (`deploy --ca-cert`, ~220 KB URL-encoded).
  const server = http.createServer({ maxHeaderSize: 2 * 1024 * 1024 }, (req, res) => {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (url.pathname === '/v1/health') return sendJson(res, 200, { ok: true });
        if (!authorized(req, token)) {
          throw new SlipwayError('UNAUTHORIZED', 'missing or wrong API token', { hint: 'the CLI reads the token from SLIPWAY_HOME/token; set SLIPWAY_HOME to the server\'s' });
        }
        for (const r of routes) {
          if (r.method !== req.method) continue;
          const match = r.pattern.exec(url.pathname);
          if (!match) continue;
          const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(match[i + 1] ?? '')]));
          await r.handler({ req, res, params, query: url.searchParams, signal: controller.signal });
          return;
        }
        throw new SlipwayError('NOT_FOUND', `no API route ${req.method} ${url.pathname}`);
      } catch (err) {
        sendError(res, err);
      }
    })();
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!upgrade || !authorized(req, token)) {
      upgrade?.reject(socket, new SlipwayError('UNAUTHORIZED', 'missing or wrong API token'));
      if (!upgrade) socket.destroy();
      return;
    }
    upgrade.handle(req, socket, url).catch((err: unknown) => upgrade.reject(socket, err));
  });
  return server;
}

/** Listens on 127.0.0.1:port; EADDRINUSE becomes PORT_IN_USE with a hint. */
export function listen(server: http.Server, port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new SlipwayError('PORT_IN_USE', `API port ${port} on ${host} is already in use`, { hint: 'stop whatever listens there (is a Slipway server already running?) or set SLIPWAY_API_PORT' })
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
