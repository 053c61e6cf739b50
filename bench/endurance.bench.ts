/**
 * bench/endurance: DEPLOYS consecutive deploys (default 1000) of one app under continuous load
 * (keep-alive and new-connection clients, test/e2e/load.ts) plus streaming clients (a slow response
 * that must end whole, through drains), with the same prebuilt image each time (a new release each
 * deploy). Reports failed requests and non-2xx (target: zero), and curves sampled every SAMPLE_EVERY
 * deploys: server RSS and open fds, HAProxy RSS and fds, the servers in the app's HAProxy backend, the
 * store's row counts and the deploy time; finally the median deploy time of the first 100 deploys vs
 * the last 100 (fewer when DEPLOYS < 200; target: last within 10 % of first).
 * Run: DEPLOYS=50 node --import tsx bench/endurance.bench.ts   (writes bench/results/endurance.json)
 */
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Harness, ROOT, BASE_IMAGE, uniqueApp } from '../test/e2e/harness.js';
import { startLoad, summarize, type LoadSample } from '../test/e2e/load.js';
import { sendSocketCommand } from '../src/router/runtime-client.js';
import { backendName } from '../src/router/haproxy-names.js';
import {
  childPids,
  cpuMeter,
  fdCount,
  haproxyFootprint,
  median,
  pidsNamed,
  removeHomeContainers,
  rssMb,
  runtimeSocket,
} from './bench-kit.js';

const DEPLOYS = Number(process.env['DEPLOYS'] ?? 1000);
const SAMPLE_EVERY = Number(process.env['SAMPLE_EVERY'] ?? (DEPLOYS >= 200 ? 25 : 5));
const STREAM_CLIENTS = Number(process.env['STREAM_CLIENTS'] ?? 2);
/** A stream: this many lines, one every STREAM_EVERY_MS (default 30 × 100 ms = 3 s, longer than a deploy's switch). */
const STREAM_CHUNKS = Number(process.env['STREAM_CHUNKS'] ?? 30);
const STREAM_EVERY_MS = Number(process.env['STREAM_EVERY_MS'] ?? 100);
const FIXTURE = join(ROOT, 'test', 'e2e', 'fixtures', 'stream-app');
const serverEnv = process.env['SERVER_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['SERVER_NODE_OPTIONS'] } : {};

interface StreamStats {
  ok: number;
  failed: number;
  failures: string[];
}

/** Clients that each read one slow streaming response after another; a stream counts only when it ended whole. */
function startStreams(h: Harness, app: string): { stats: StreamStats; stop: () => Promise<void> } {
  const stats: StreamStats = { ok: 0, failed: 0, failures: [] };
  let running = true;
  const fail = (why: string) => {
    stats.failed++;
    if (stats.failures.length < 20) stats.failures.push(`${new Date().toISOString()} ${why}`);
  };
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port: h.httpPort,
          path: `/stream?chunks=${STREAM_CHUNKS}&every=${STREAM_EVERY_MS}`,
          headers: { host: h.host(app) },
          agent: false,
          timeout: 30_000,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => {
            const lines = body.trim().split('\n');
            const whole = lines.length === STREAM_CHUNKS + 1 && lines.at(-1)!.startsWith('end ');
            if (res.statusCode === 200 && whole) stats.ok++;
            else fail(`HTTP ${res.statusCode}, ${lines.length} lines: ${body.slice(-60).replace(/\n/g, '|')}`);
            resolve();
          });
          res.on('error', (err) => {
            fail(`response error ${err.message} after ${body.split('\n').length} lines`);
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        fail(`request error ${err.code ?? err.message}`);
        resolve();
      });
    });
  const loops = Array.from({ length: STREAM_CLIENTS }, async () => {
    while (running) await one();
  });
  return {
    stats,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Servers in the app's backend as the running HAProxy sees them (`show servers state`), and their names. */
async function backendServers(h: Harness, app: string): Promise<{ count: number; names: string[] }> {
  const text = await sendSocketCommand(runtimeSocket(h), `show servers state ${backendName(app)}`, {
    timeoutMs: 5000,
  }).catch(() => '');
  // Line 1 is the version, line 2 the header (# be_id …); then one line per server: field 4 is srv_name.
  const rows = text
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  return { count: rows.length, names: rows.map((line) => line.split(/\s+/)[3] ?? '?') };
}

const TABLES = ['releases', 'builds', 'deployments', 'deployment_steps', 'deployment_events', 'routes', 'log_lines'];

function rowCounts(db: Database.Database): Record<string, number> {
  const out: Record<string, number> = {};
  for (const table of TABLES) out[table] = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return out;
}

/** Load samples summarized as they come (the array is emptied so memory stays flat over a long run). */
function loadTally() {
  const tally = { total: 0, failed: 0, non2xx: 0, failures: [] as string[] };
  return {
    tally,
    take(samples: LoadSample[]) {
      const batch = samples.splice(0, samples.length);
      const s = summarize(batch);
      tally.total += s.total;
      tally.failed += s.failed;
      tally.non2xx += s.non2xx;
      for (const f of s.failures) if (tally.failures.length < 20) tally.failures.push(f);
    },
  };
}

const h = await Harness.create();
const app = uniqueApp('endure');
const cpu = cpuMeter({
  server: () => (h.server?.pid ? [h.server.pid] : []),
  haproxy: () => {
    const master = h.haproxyPid();
    return master ? [master, ...childPids(master)] : [];
  },
  dockerd: () => pidsNamed('dockerd'),
});
const deployMs: number[] = [];
const curve: Record<string, unknown>[] = [];
const started = Date.now();
let db: Database.Database | undefined;
try {
  await h.startServer(serverEnv);
  await h.ok('apps:create', app);
  await h.ok('apps:settings:set', '-a', app, 'healthcheck.path=/health', 'drain.timeout=20000');
  await h.ok('deploy', '-a', app, FIXTURE, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
  const image = (JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as { image: string }[])[0]!.image;
  db = new Database(join(h.home, 'slipway.db'), { readonly: true, fileMustExist: true });
  const load = startLoad({
    port: h.httpPort,
    host: h.host(app),
    keepAliveClients: 2,
    newConnectionClients: 2,
    maxDurationMs: 24 * 3600_000,
  });
  const tally = loadTally();
  const streams = startStreams(h, app);
  const sample = async (deploys: number) => {
    tally.take(load.samples);
    const hp = await haproxyFootprint(h);
    const servers = await backendServers(h, app);
    const point = {
      deploys,
      seconds: Math.round((Date.now() - started) / 1000),
      cpuMsPerSec: cpu(),
      serverRssMb: rssMb(h.server?.pid),
      serverFds: fdCount(h.server?.pid),
      haproxyRssMb: hp?.rssMb,
      haproxyWorkerRssMb: hp?.workerRssMb,
      haproxyWorkerFds: hp?.workerFds,
      haproxyOldWorkers: hp?.oldWorkers,
      haproxyReloads: hp?.reloads,
      backendServers: servers.count,
      backendServerNames: servers.names,
      lastDeployMs: deployMs.at(-1) ?? null,
      medianDeployMsSinceLast: median(deployMs.slice(-SAMPLE_EVERY)),
      rows: rowCounts(db!),
      requests: tally.tally.total,
      failed: tally.tally.failed,
      non2xx: tally.tally.non2xx,
      streamsOk: streams.stats.ok,
      streamsFailed: streams.stats.failed,
    };
    curve.push(point);
    const { backendServerNames: _names, rows, ...brief } = point;
    process.stderr.write(`${JSON.stringify({ ...brief, deployments: rows['deployments'] })}\n`);
  };
  await sample(0);
  try {
    for (let i = 1; i <= DEPLOYS; i++) {
      const t = performance.now();
      await h.ok('deploy', '-a', app, '--image', image);
      deployMs.push(Math.round(performance.now() - t));
      if (i % SAMPLE_EVERY === 0 || i === DEPLOYS) await sample(i);
    }
  } finally {
    await streams.stop();
    tally.take(await load.stop());
  }
  const window = Math.min(100, Math.floor(DEPLOYS / 2));
  const first = median(deployMs.slice(0, window));
  const last = median(deployMs.slice(-window));
  const firstPoint = curve[0]!;
  const lastPoint = curve.at(-1)!;
  const result = {
    bench: 'endurance',
    date: new Date().toISOString(),
    deploys: DEPLOYS,
    sampleEvery: SAMPLE_EVERY,
    runSeconds: Math.round((Date.now() - started) / 1000),
    load: { ...tally.tally, target: 'failed = 0 and non2xx = 0' },
    streams: { clients: STREAM_CLIENTS, seconds: (STREAM_CHUNKS * STREAM_EVERY_MS) / 1000, ...streams.stats },
    deployTime: {
      window,
      medianFirstMs: first,
      medianLastMs: last,
      lastOverFirst: Math.round((last / first) * 100) / 100,
      target: `median of the last ${window} within 10 % of the first ${window}`,
    },
    growth: Object.fromEntries(
      ['serverRssMb', 'serverFds', 'haproxyRssMb', 'haproxyWorkerFds', 'backendServers'].map((key) => [
        key,
        { start: firstPoint[key], end: lastPoint[key] },
      ]),
    ),
    curve,
    deployMs,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'endurance.json'), JSON.stringify(result, null, 2) + '\n');
  const { curve: _curve, deployMs: _deployMs, ...summary } = result;
  console.log(JSON.stringify(summary, null, 2));
} finally {
  db?.close();
  h.removeAppContainers(app); // kills the server first; also removes the images built for the app
  removeHomeContainers(h);
  await h.destroy();
}
