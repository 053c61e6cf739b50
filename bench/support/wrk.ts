/** wrk (from Debian's packages) as the benchmarks' load tool: one run, parsed. */
import { execFileSync } from 'node:child_process';

export interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  /** Non-2xx/3xx responses plus socket errors. */
  errors: number;
}

export interface WrkOptions {
  threads: string;
  connections: string;
  duration: string;
  host: string;
}

export function wrk(url: string, opts: WrkOptions): WrkResult {
  const out = execFileSync(
    'wrk',
    ['-t', opts.threads, '-c', opts.connections, '-d', opts.duration, '--latency', '-H', `Host: ${opts.host}`, url],
    { encoding: 'utf8' },
  );
  const ms = (label: string) => {
    const m = new RegExp(`\\s${label}\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50ms: ms('50%'),
    p99ms: ms('99%'),
    errors: Number(errors?.[1] ?? 0) + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

/** Installs the named commands from Debian's packages when missing (command → package). */
export function ensureDebianTools(tools: Record<string, string>): void {
  const missing = Object.entries(tools).filter(([command]) => {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing.map(([, pkg]) => pkg)], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
