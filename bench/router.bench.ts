/**
 * bench/router: requests/s and p50/p99 latency through Slipway's router (HAProxy) vs straight to the
 * container's published port, in the same run with the same load tool (wrk, from Debian's packages).
 * Run: node --import tsx bench/router.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, ROOT, BASE_IMAGE, uniqueApp } from '../test/e2e/harness.js';

const DURATION = process.env['DURATION'] ?? '10s';
const CONNECTIONS = process.env['CONNECTIONS'] ?? '32';

interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
}

function wrk(url: string, host: string): WrkResult {
  const out = execFileSync(
    'wrk',
    ['-t', '1', '-c', CONNECTIONS, '-d', DURATION, '--latency', '-H', `Host: ${host}`, url],
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

try {
  execFileSync('sh', ['-c', 'command -v wrk']);
} catch {
  execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
const h = await Harness.create();
const app = uniqueApp('benchrouter');
try {
  await h.startServer();
  await h.ok('apps:create', app);
  await h.ok('deploy', '-a', app, join(ROOT, 'examples', 'hello'), '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
  const ps = JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as { processes: { hostPort: number }[] };
  const direct = `http://127.0.0.1:${ps.processes[0]!.hostPort}/`;
  const routed = `http://127.0.0.1:${h.httpPort}/`;
  wrk(routed, h.host(app)); // warm-up
  const results = { direct: wrk(direct, h.host(app)), router: wrk(routed, h.host(app)) };
  const result = {
    bench: 'router',
    date: new Date().toISOString(),
    tool: `wrk -t1 -c${CONNECTIONS} -d${DURATION}`,
    ...results,
    ratio: Number((results.router.rps / results.direct.rps).toFixed(3)),
    target: 0.8,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'router.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  h.removeAppContainers(app);
  await h.destroy();
}
