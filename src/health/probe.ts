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
  /**
   * TCP probes: how long an accepted connection must stay open (default TCP_HOLD_MS). Needed behind
   * Docker's userland proxy only; a container's own address refuses until the app listens, so 0 there.
   */
  holdMs?: number;
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
      const holdMs = target.holdMs ?? TCP_HOLD_MS;
      socket.once('connect', () => {
        if (holdMs <= 0) return done(finish(true, 'TCP connect ok'));
        held = setTimeout(() => done(finish(true, 'TCP connect ok')), Math.min(holdMs, Math.max(0, timeoutMs - 50)));
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
      headers: {
        'user-agent': 'slipway-healthcheck',
        connection: 'close',
        ...(target.hostHeader ? { host: target.hostHeader } : {}),
      },
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
  /**
   * Settles with the exit code when the probed container exits (e.g. the engine's wait): probing
   * stops at once, mid-attempt, since an exited container never becomes healthy. A rejection is ignored.
   */
  exited?: Promise<number>;
  onResult?: (result: ProbeResult) => void;
  /**
   * After a refused connection (nothing listens yet: the app is booting), probe again this soon
   * instead of waiting the whole interval; such quick re-tries belong to the same attempt, so
   * `attempts × intervalMs` stays the time an app gets to start. Default 20 ms; 0 turns it off.
   */
  quickRetryMs?: number;
}

/** The app does not listen (yet): a cheap failure worth re-trying at once. */
function refused(result: ProbeResult): boolean {
  return !result.ok && /ECONNREFUSED/.test(result.detail);
}

export interface ProbeOutcome {
  healthy: boolean;
  results: ProbeResult[];
  exited: boolean;
  /** The container's exit code when `exited`. */
  exitCode?: number;
}

/** Probes until one attempt passes; returns all results (the last ones explain a failure). */
export async function probeUntilHealthy(target: ProbeTarget, opts: ProbeUntilHealthyOptions): Promise<ProbeOutcome> {
  const results: ProbeResult[] = [];
  const stop = new AbortController();
  let exitCode: number | undefined;
  opts.exited?.then(
    (code) => {
      exitCode = code;
      stop.abort();
    },
    () => undefined,
  );
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const exited = (): ProbeOutcome => ({
    healthy: false,
    results,
    exited: true,
    ...(exitCode === undefined ? {} : { exitCode }),
  });
  try {
    for (let attempt = 1; attempt <= opts.attempts; attempt++) {
      if (exitCode !== undefined) return exited();
      const began = Date.now();
      let result = await probeOnce(target, opts.timeoutMs, signal);
      const quick = opts.quickRetryMs ?? 20;
      while (quick > 0 && refused(result) && Date.now() + quick < began + opts.intervalMs && !signal.aborted) {
        await sleep(quick, signal).catch(() => undefined);
        if (signal.aborted) break;
        result = await probeOnce(target, opts.timeoutMs, signal);
      }
      if (exitCode !== undefined) return exited();
      results.push(result);
      opts.onResult?.(result);
      if (result.ok) return { healthy: true, results, exited: false };
      if (opts.signal?.aborted) break;
      const waitMs = Math.max(0, opts.intervalMs - (Date.now() - began));
      if (attempt < opts.attempts) await sleep(waitMs, signal).catch(() => undefined);
    }
    return exitCode !== undefined ? exited() : { healthy: false, results, exited: false };
  } finally {
    stop.abort();
  }
}
