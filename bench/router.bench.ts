/**
 * bench/router: requests/s and p50/p99 latency through Slipway's router vs two references the bench
 * starts itself, all in front of the same container at the same address (its bridge IP, as Slipway's
 * router reaches it): a minimal hand-written HAProxy config (the same HAProxy binary) and nginx with a
 * keep-alive upstream (Dokku's router). The rounds are interleaved (the order rotates every round), so
 * a slow moment of this shared machine hits every contender alike. Load: wrk from Debian's packages.
 * Run: node --import tsx bench/router.bench.ts   (ROUNDS=5 DURATION=5s THREADS=2 CONNECTIONS=32)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, ROOT, BASE_IMAGE, freePort, get, uniqueApp } from '../test/e2e/harness.js';
import { ensureDebianTools, wrk, type WrkResult } from './support/wrk.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 5);
const DURATION = process.env['DURATION'] ?? '5s';
const THREADS = process.env['THREADS'] ?? '2';
const CONNECTIONS = process.env['CONNECTIONS'] ?? '32';

ensureDebianTools({ wrk: 'wrk', nginx: 'nginx-light' });
const h = await Harness.create();
const app = uniqueApp('benchrouter');
const scratch = mkdtempSync(join(tmpdir(), 'slipway-router-bench-'));
const references: ChildProcess[] = [];
try {
  await h.startServer();
  await h.ok('apps:create', app);
  await h.ok('deploy', '-a', app, join(ROOT, 'examples', 'hello'), '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
  const ps = JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as { processes: { containerId: string }[] };
  const ip = execFileSync(
    'docker',
    ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', ps.processes[0]!.containerId],
    { encoding: 'utf8' },
  ).split(' ')[0]!;
  const upstream = `${ip}:5000`;
  const bare = await startBareHaproxy(scratch, upstream);
  const nginx = await startNginx(scratch, upstream);
  references.push(bare.child, nginx.child);
  const targets: Record<string, string> = {
    slipway: `http://127.0.0.1:${h.httpPort}/`,
    haproxy: `http://127.0.0.1:${bare.port}/`,
    nginx: `http://127.0.0.1:${nginx.port}/`,
  };
  for (const [name, url] of Object.entries(targets)) {
    const res = await get(Number(new URL(url).port), h.host(app));
    if (res.status !== 200) throw new Error(`${name} answered ${res.status}: ${res.body}`);
  }
  const opts = { threads: THREADS, connections: CONNECTIONS, host: h.host(app) };
  for (const url of Object.values(targets)) wrk(url, { ...opts, duration: '2s' }); // warm-up
  const runs: Record<string, WrkResult[]> = { slipway: [], haproxy: [], nginx: [] };
  const names = Object.keys(targets);
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) runs[name]!.push(wrk(targets[name]!, { ...opts, duration: DURATION }));
    process.stderr.write(
      `round ${round + 1}: ${names.map((n) => `${n} ${Math.round(runs[n]!.at(-1)!.rps)}`).join(', ')} req/s\n`,
    );
  }
  const summary = Object.fromEntries(names.map((n) => [n, summarize(runs[n]!)]));
  const result = {
    bench: 'router',
    date: new Date().toISOString(),
    tool: `wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}, ${ROUNDS} interleaved rounds`,
    upstream: 'examples/hello (one container), reached at its bridge IP by all three',
    ...summary,
    ratioToHaproxy: ratio(summary['slipway']!.medianRps, summary['haproxy']!.medianRps),
    ratioToNginx: ratio(summary['slipway']!.medianRps, summary['nginx']!.medianRps),
    roundRatiosToHaproxy: runs['slipway']!.map((r, i) => ratio(r.rps, runs['haproxy']![i]!.rps)),
    targets: { ratioToHaproxy: 0.97, ratioToNginx: 1 },
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'router.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  for (const child of references) child.kill('SIGTERM');
  h.removeAppContainers(app);
  await h.destroy();
  rmSync(scratch, { recursive: true, force: true });
}

function summarize(results: WrkResult[]) {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    medianRps: Math.round(median(results.map((r) => r.rps))),
    rps: results.map((r) => Math.round(r.rps)),
    medianP50ms: median(results.map((r) => r.p50ms)),
    medianP99ms: median(results.map((r) => r.p99ms)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}

function ratio(a: number, b: number): number {
  return Number((a / b).toFixed(3));
}

/** The reference: the fewest lines that make HAProxy a keep-alive reverse proxy for one server. */
async function startBareHaproxy(dir: string, upstream: string): Promise<Reference> {
  const port = await freePort();
  const config = join(dir, 'bare-haproxy.cfg');
  return startReference('haproxy', ['-db', '-f', config], port, config, [
    'defaults',
    '    mode http',
    '    timeout connect 1s',
    '    timeout client 60s',
    '    timeout server 60s',
    'frontend bench',
    `    bind 127.0.0.1:${port}`,
    '    default_backend app',
    'backend app',
    `    server app ${upstream}`,
  ]);
}

/** nginx as Dokku runs it in front of an app: an upstream with keep-alive connections. */
async function startNginx(dir: string, upstream: string): Promise<Reference> {
  const port = await freePort();
  const config = join(dir, 'nginx.conf');
  return startReference('nginx', ['-c', config, '-p', dir], port, config, [
    'daemon off;',
    'worker_processes auto;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'nginx-error.log')};`,
    'events { worker_connections 1024; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${dir}; proxy_temp_path ${dir};`,
    `  upstream app { server ${upstream}; keepalive 64; }`,
    `  server { listen 127.0.0.1:${port};`,
    '    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";',
    '      proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; } }',
    '}',
  ]);
}

interface Reference {
  child: ChildProcess;
  port: number;
}

/** Writes `lines` to `config`, starts `command args` and waits until it answers HTTP on `port`. */
async function startReference(
  command: string,
  args: string[],
  port: number,
  config: string,
  lines: string[],
): Promise<Reference> {
  writeFileSync(config, [...lines, ''].join('\n'));
  const child = spawn(command, args, { stdio: 'ignore' });
  await waitListening(port, child, command);
  return { child, port };
}

async function waitListening(port: number, child: ChildProcess, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if ((await get(port, 'bench').catch(() => null)) !== null) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on ${port} within 10 s`);
}
