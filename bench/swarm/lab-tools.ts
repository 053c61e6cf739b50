import { execFile } from 'node:child_process';
import http from 'node:http';
import type { LoadSample } from '../../test/e2e/load.js';

/** Small helpers of the Swarm bench: async docker CLI, deadlines, and what the load samples say. */

/** `docker -H HOST ARGS…` without blocking the event loop (the load generator runs in this process). */
export function docker(host: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['-H', host, ...args], { encoding: 'utf8', timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`docker ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout).trim());
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `intervalMs` until it returns true; throws naming `what` at the deadline. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** One GET straight to ADDRESS:PORT (no Host routing), body or undefined. */
export function directGet(address: string, port: number, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: address, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

export const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);

export function stats(xs: number[]): { median: number; min: number; max: number; all: number[] } {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), all: xs };
}

/**
 * When all traffic was on the release whose body contains `marker`: the start of the first request,
 * sent at or after `since`, after which every request (sent after it) got a 2xx with `marker`.
 * Undefined when the last request was still not on it.
 */
export function switchedAt(samples: LoadSample[], since: number, marker: string): number | undefined {
  const after = samples.filter((s) => s.startedAt >= since).sort((a, b) => a.startedAt - b.startedAt);
  const isNew = (s: LoadSample) => s.ok && (s.body ?? '').includes(marker);
  let lastWrong = -1;
  after.forEach((s, i) => {
    if (!isNew(s)) lastWrong = i;
  });
  return after[lastWrong + 1]?.startedAt;
}

/** Counts of what went wrong: `HTTP 503`, `error ECONNRESET`, … */
export function problemCounts(samples: LoadSample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.ok) continue;
    const key = s.error !== undefined ? `error ${s.error}` : `HTTP ${s.status}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
