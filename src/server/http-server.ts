import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { SlipwayError } from '../core/errors.js';
import { sendError, sendJson, type Route } from './http-kit.js';

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The API server: token auth, route dispatch, one error mapping. */
export function createApiServer(routes: Route[], token: string): http.Server {
  return http.createServer((req, res) => {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (url.pathname === '/v1/health') return sendJson(res, 200, { ok: true });
        const auth = req.headers['authorization'] ?? '';
        if (!auth.startsWith('Bearer ') || !tokenMatches(auth.slice(7), token)) {
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
