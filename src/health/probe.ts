import http from 'node:http';
import net from 'node:net';
import { sleep } from '../core/abort.js';

/** How long an accepted TCP connection must stay open to count as a listening app. */
export const TCP_HOLD_MS = 250;

export interface ProbeTarget {
  host: string;
  port: number;
  /** HTTP path; undefined = TCP connect. */
  path?: string;
  /** Host header for HTTP probes. */
  hostHeader?: string;
}

export interface ProbeResult {
  at: string;
  ok: boolean;
  ms: number;
  /** e.g. "HTTP 200", "HTTP 503", "connect ECONNREFUSED", "timeout after 2000 ms". */
  detail: string;
}

/** One probe attempt: HTTP GET expecting 2xx/3xx, or a TCP connect. Never throws. */
export async function probeOnce(target: ProbeTarget, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  const started = Date.now();
  const at = new Date(started).toISOString();
  const finish = (ok: boolean, detail: string): ProbeResult => ({ at, ok, ms: Date.now() - started, detail });
  return new Promise<ProbeResult>((resolve) => {
    const timer = setTimeout(() => done(finish(false, `timeout after ${timeoutMs} ms`)), timeoutMs);
    let cleanup: () => void = () => {};
    let settled = false;
    const onAbort = () => done(finish(false, 'aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    function done(result: ProbeResult): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      cleanup();
      resolve(result);
    }
    if (target.path === undefined) {
      // Docker's userland proxy accepts on the published port even when nothing listens in the
      // container, then closes the connection at once. So a TCP probe passes only when the
      // connection is accepted AND stays open for a moment.
      const socket = net.connect({ host: target.host, port: target.port });
      cleanup = () => socket.destroy();
      let held: NodeJS.Timeout | undefined;
      socket.once('connect', () => {
        held = setTimeout(() => done(finish(true, 'TCP connect ok')), Math.min(TCP_HOLD_MS, Math.max(0, timeoutMs - 50)));
      });
      const closed = () => {
        clearTimeout(held);
        done(finish(false, 'connection closed by the peer: nothing listens behind the published port yet'));
      };
      socket.once('end', closed);
      socket.once('close', closed);
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(held);
        done(finish(false, `connect ${err.code ?? err.message}`));
      });
      return;
    }
    const req = http.request({
      host: target.host,
      port: target.port,
      path: target.path,
      method: 'GET',
      agent: false,
      headers: { 'user-agent': 'slipway-healthcheck', connection: 'close', ...(target.hostHeader ? { host: target.hostHeader } : {}) },
    });
    cleanup = () => req.destroy();
    req.once('response', (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      done(finish(status >= 200 && status < 400, `HTTP ${status}`));
    });
    req.once('error', (err: NodeJS.ErrnoException) => done(finish(false, `${err.code ?? err.message}`)));
    req.end();
  });
}

export interface ProbeUntilHealthyOptions {
  attempts: number;
  intervalMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Checked between attempts: a container that exited will never become healthy. */
  stillRunning?: () => Promise<boolean>;
  onResult?: (result: ProbeResult) => void;
}

/** Probes until one attempt passes; returns all results (the last ones explain a failure). */
export async function probeUntilHealthy(target: ProbeTarget, opts: ProbeUntilHealthyOptions): Promise<{ healthy: boolean; results: ProbeResult[]; exited: boolean }> {
  const results: ProbeResult[] = [];
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    const result = await probeOnce(target, opts.timeoutMs, opts.signal);
    results.push(result);
    opts.onResult?.(result);
    if (result.ok) return { healthy: true, results, exited: false };
    if (opts.signal?.aborted) break;
    if (opts.stillRunning && !(await opts.stillRunning())) return { healthy: false, results, exited: true };
    if (attempt < opts.attempts) await sleep(Math.max(0, opts.intervalMs - result.ms), opts.signal).catch(() => undefined);
  }
  return { healthy: false, results, exited: false };
}
