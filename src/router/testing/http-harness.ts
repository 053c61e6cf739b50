import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Test-only helpers for adapter tests against a real HAProxy: tiny backends, free ports, load. */

export interface TestBackend {
  port: number;
  /** Requests currently being answered. */
  inFlight(): number;
  served(): number;
  close(): Promise<void>;
}

/**
 * An HTTP server answering `body` after 50-150 ms (`/slow?ms=N` waits N ms). `/health` answers at once.
 */
export async function startBackend(body: string): Promise<TestBackend> {
  let inFlight = 0;
  let served = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend');
    if (url.pathname === '/health') return res.end('ok');
    inFlight++;
    const delay =
      url.pathname === '/slow' ? Number(url.searchParams.get('ms') ?? 1000) : 50 + Math.floor(Math.random() * 100);
    setTimeout(() => {
      inFlight--;
      served++;
      res.end(body);
    }, delay);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    inFlight: () => inFlight,
    served: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A short temp dir (unix socket paths must stay under ~100 bytes). */
export async function tempStateDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slw-hap-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface Reply {
  status: number;
  body: string;
  at: number;
}

export function httpGet(port: number, host: string, urlPath = '/', agent?: http.Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: urlPath, headers: { host }, agent: agent ?? false, timeout: 15_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, at: Date.now() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
  });
}

export interface LoadResult<R extends { status: number } = Reply> {
  replies: R[];
  failures: string[];
  non2xx: R[];
}

export interface Load<R extends { status: number } = Reply> {
  result: LoadResult<R>;
  stop(): Promise<LoadResult<R>>;
  /** Replies received so far. */
  count(): number;
}

export interface LoadOptions {
  keepAliveClients: number;
  freshClients: number;
  maxMs?: number;
}

/**
 * Continuous load with any request function: `keepAliveClients` loops each reusing one keep-alive
 * agent (from `newAgent`), and `freshClients` loops opening a new connection per request. Bounded by
 * `maxMs` as a safety net.
 */
export function runLoad<R extends { status: number }, A extends { destroy(): void }>(
  request: (agent: A | undefined) => Promise<R>,
  newAgent: () => A,
  opts: LoadOptions,
): Load<R> {
  const result: LoadResult<R> = { replies: [], failures: [], non2xx: [] };
  const deadline = Date.now() + (opts.maxMs ?? 60_000);
  let stopped = false;
  const loop = async (agent: A | undefined) => {
    while (!stopped && Date.now() < deadline) {
      try {
        const reply = await request(agent);
        result.replies.push(reply);
        if (reply.status < 200 || reply.status > 299) result.non2xx.push(reply);
      } catch (err) {
        result.failures.push(`${agent ? 'keep-alive' : 'fresh'}: ${(err as Error).message}`);
      }
    }
    agent?.destroy();
  };
  const clients = [
    ...Array.from({ length: opts.keepAliveClients }, () => loop(newAgent())),
    ...Array.from({ length: opts.freshClients }, () => loop(undefined)),
  ];
  return {
    result,
    count: () => result.replies.length,
    stop: async () => {
      stopped = true;
      await Promise.all(clients);
      return result;
    },
  };
}

/** Continuous plain-HTTP GET load against the router (see runLoad). */
export function startLoad(opts: LoadOptions & { port: number; host: string }): Load {
  return runLoad(
    (agent) => httpGet(opts.port, opts.host, '/', agent),
    () => new http.Agent({ keepAlive: true, maxSockets: 1 }),
    opts,
  );
}

export async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
