import http from 'node:http';
import assert from 'node:assert/strict';

export interface LoadSample {
  startedAt: number;
  endedAt: number;
  ok: boolean;
  status?: number;
  error?: string;
  body?: string;
  /** The response's Retry-After header, when it had one (maintenance mode). */
  retryAfter?: string;
  keepAlive: boolean;
}

export interface LoadOptions {
  port: number;
  /** Where the router listens (default 127.0.0.1; e.g. an ingress node's address in a Swarm lab). */
  address?: string;
  host: string;
  path?: string;
  /** Clients that reuse one keep-alive connection. */
  keepAliveClients: number;
  /** Clients that open a new connection for every request. */
  newConnectionClients: number;
  /** Safety bound: the load stops by itself after this long. */
  maxDurationMs?: number;
  requestTimeoutMs?: number;
}

export interface LoadRun {
  samples: LoadSample[];
  /** Stops every client and waits for in-flight requests to end. */
  stop(): Promise<LoadSample[]>;
}

/** Continuous HTTP load against the router (on loopback unless `address`), bounded in time, recording every request. */
export function startLoad(opts: LoadOptions): LoadRun {
  const samples: LoadSample[] = [];
  let running = true;
  const deadline = Date.now() + (opts.maxDurationMs ?? 10 * 60_000);
  const one = (agent: http.Agent | false): Promise<void> =>
    new Promise((resolve) => {
      const sample: LoadSample = { startedAt: Date.now(), endedAt: 0, ok: false, keepAlive: agent !== false };
      const finish = () => {
        sample.endedAt = Date.now();
        samples.push(sample);
        resolve();
      };
      const req = http.request({
        host: opts.address ?? '127.0.0.1',
        port: opts.port,
        path: opts.path ?? '/',
        agent,
        headers: { host: opts.host, ...(agent === false ? { connection: 'close' } : {}) },
        timeout: opts.requestTimeoutMs ?? 10_000,
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          sample.status = res.statusCode;
          sample.body = body;
          if (typeof res.headers['retry-after'] === 'string') sample.retryAfter = res.headers['retry-after'];
          sample.ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
          finish();
        });
        res.on('error', (err) => {
          sample.error = err.message;
          finish();
        });
      });
      req.on('timeout', () => req.destroy(new Error('request timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (sample.endedAt) return;
        sample.error = err.code ?? err.message;
        finish();
      });
      req.end();
    });
  const loops: Promise<void>[] = [];
  const agents: http.Agent[] = [];
  for (let i = 0; i < opts.keepAliveClients; i++) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    loops.push(
      (async () => {
        while (running && Date.now() < deadline) await one(agent);
      })(),
    );
  }
  for (let i = 0; i < opts.newConnectionClients; i++) {
    loops.push(
      (async () => {
        while (running && Date.now() < deadline) await one(false);
      })(),
    );
  }
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
      agents.forEach((a) => a.destroy());
      return samples;
    },
  };
}

export interface LoadSummary {
  total: number;
  failed: number;
  non2xx: number;
  failures: string[];
}

export function summarize(samples: LoadSample[]): LoadSummary {
  const failed = samples.filter((s) => s.error !== undefined);
  const non2xx = samples.filter((s) => s.error === undefined && !s.ok);
  const failures = [
    ...failed.map(
      (s) => `error ${s.error} (${s.keepAlive ? 'keep-alive' : 'new conn'}) at ${new Date(s.startedAt).toISOString()}`,
    ),
    ...non2xx.map((s) => `HTTP ${s.status} ${s.body?.slice(0, 80)} at ${new Date(s.startedAt).toISOString()}`),
  ];
  return { total: samples.length, failed: failed.length, non2xx: non2xx.length, failures: failures.slice(0, 20) };
}

/** Zero failed requests and zero non-2xx, over enough requests to mean something; returns the summary. */
export function assertClean(samples: LoadSample[], what: string): LoadSummary {
  const summary = summarize(samples);
  assert.ok(summary.total > 50, `${what}: too few requests (${summary.total}) to mean anything`);
  assert.deepEqual(
    { failed: summary.failed, non2xx: summary.non2xx, failures: summary.failures },
    { failed: 0, non2xx: 0, failures: [] },
    `${what}: ${summary.total} requests`,
  );
  return summary;
}

/** Releases that answered requests started at or after `since`. */
export function releasesSince(samples: LoadSample[], since: number): Set<string> {
  const out = new Set<string>();
  for (const s of samples) {
    if (s.startedAt < since || !s.ok || !s.body) continue;
    try {
      out.add((JSON.parse(s.body) as { release: string }).release);
    } catch {
      out.add(`unparseable: ${s.body.slice(0, 40)}`);
    }
  }
  return out;
}
