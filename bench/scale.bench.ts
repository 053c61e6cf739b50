/**
 * bench/scale: "500 apps on one box". APPS apps (default 500) of one busybox web container each on
 * one server: apps:create and deploy --image time per app (first vs last), `slipway apps` and
 * `slipway ps -a X` wall time at N apps (in process, and as bin/slipway when dist/ is built), server and
 * HAProxy RSS every CHECKPOINT apps, HAProxy reloads over the run, the server's restart time with N
 * apps (until `apps` answers and every app answers through the router), and that every app answers.
 * Targets: deploy at app N within 1.25x of app 1; apps / ps ≤ 200 ms; restart ≤ 5 s.
 * Run: APPS=50 node --import tsx bench/scale.bench.ts   (writes bench/results/scale.json)
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, ROOT, get } from '../test/e2e/harness.js';
import { busyboxWeb } from '../test/support/busybox-web.js';
import {
  childPids,
  cpuMeter,
  haproxyFootprint,
  pidsNamed,
  median,
  pool,
  reloadEvents,
  removeHomeContainers,
  rssMb,
  timeChildCli,
  timeEach,
  type HaproxyFootprint,
} from './bench-kit.js';

const APPS = Number(process.env['APPS'] ?? 500);
const CHECKPOINT = Number(process.env['CHECKPOINT'] ?? (APPS >= 200 ? 100 : 10));
const VERSION = 'scale-bench';
// e.g. SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof": the server's profile is written when it stops.
const serverEnv = process.env['SERVER_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['SERVER_NODE_OPTIONS'] } : {};
const suffix = Math.random().toString(36).slice(2, 6);
const appName = (i: number) => `s${suffix}-${i}`;

interface Checkpoint {
  apps: number;
  /** ms of CPU per second since the previous checkpoint (each group's processes). */
  cpuMsPerSec: Record<string, number>;
  serverRssMb: number;
  haproxy: HaproxyFootprint | undefined;
  reloadEvents: number;
  appsCliMs: number;
  psCliMs: number;
  at: string;
}

/** Every app answers through the router with the busybox page; returns how many did not (and the first few). */
async function unanswered(h: Harness, apps: string[]): Promise<string[]> {
  const failed: string[] = [];
  await pool(16, apps, async (app) => {
    const res = await get(h.httpPort, h.host(app)).catch((err: Error) => ({ status: 0, body: err.message }));
    if (res.status !== 200 || !res.body.includes(VERSION))
      failed.push(`${app}: ${res.status} ${res.body.slice(0, 60)}`);
  });
  return failed;
}

async function checkpoint(h: Harness, n: number): Promise<Checkpoint> {
  const cpuMsPerSec = cpu();
  const appsMs = median(await timeEach(3, () => h.ok('apps')));
  const psMs = median(await timeEach(3, () => h.ok('ps', '-a', appName(n))));
  return {
    apps: n,
    cpuMsPerSec,
    serverRssMb: rssMb(h.server?.pid),
    haproxy: await haproxyFootprint(h),
    reloadEvents: reloadEvents(h),
    appsCliMs: appsMs,
    psCliMs: psMs,
    at: new Date().toISOString(),
  };
}

const h = await Harness.create();
// HAProxy: the master and every worker (old ones too); the busybox servers answer its health checks.
const haproxyPids = () => {
  const master = h.haproxyPid();
  return master ? [master, ...childPids(master)] : [];
};
const cpu = cpuMeter({
  server: () => (h.server?.pid ? [h.server.pid] : []),
  haproxy: haproxyPids,
  dockerd: () => pidsNamed('dockerd'),
  containerd: () => pidsNamed('containerd'),
  busybox: () => pidsNamed('busybox'),
});
const scratch = mkdtempSync(join(tmpdir(), 'slipway-scale-'));
const tag = `slipway-bench/scale-web:${suffix}`;
const createMs: number[] = [];
const deployMs: number[] = [];
/** The deploy command's stage timeline for app 1 and app N (where a slower deploy spends its time). */
const deployOutput: Record<string, string> = {};
const checkpoints: Checkpoint[] = [];
const started = Date.now();
try {
  busyboxWeb(scratch, tag, VERSION);
  await h.startServer(serverEnv);
  cpu();
  for (let i = 1; i <= APPS; i++) {
    const app = appName(i);
    let t = performance.now();
    await h.ok('apps:create', app);
    createMs.push(Math.round(performance.now() - t));
    t = performance.now();
    const deployed = await h.ok('deploy', '-a', app, '--image', tag);
    deployMs.push(Math.round(performance.now() - t));
    if (i === 1 || i === APPS) deployOutput[`app${i}`] = deployed.stdout + deployed.stderr;
    if (i === 1 || i % CHECKPOINT === 0 || i === APPS) {
      const cp = await checkpoint(h, i);
      checkpoints.push(cp);
      process.stderr.write(
        `${i} apps: create ${createMs.at(-1)} ms, deploy ${deployMs.at(-1)} ms, server ${cp.serverRssMb} MB, ` +
          `haproxy ${cp.haproxy?.rssMb} MB (${cp.haproxy?.workers}+${cp.haproxy?.oldWorkers} old workers), ` +
          `reloads ${cp.haproxy?.reloads} (server events ${cp.reloadEvents}), apps ${cp.appsCliMs} ms, ` +
          `ps ${cp.psCliMs} ms, cpu ms/s ${JSON.stringify(cp.cpuMsPerSec)}, ` +
          `${Math.round((Date.now() - started) / 1000)} s\n`,
      );
    }
  }
  const all = Array.from({ length: APPS }, (_, i) => appName(i + 1));

  // `apps` and `ps -a X` at N apps: in process (h.cli) and as a child process of the compiled CLI.
  const appsInProcess = await timeEach(5, () => h.ok('apps'));
  const psInProcess = await timeEach(5, () => h.ok('ps', '-a', appName(APPS)));
  const compiled = existsSync(join(ROOT, 'dist', 'cli', 'bin.js'));
  const appsChild = compiled ? [0, 0, 0, 0, 0].map(() => timeChildCli(h, ROOT, ['apps'])) : [];
  const psChild = compiled ? [0, 0, 0, 0, 0].map(() => timeChildCli(h, ROOT, ['ps', '-a', appName(APPS)])) : [];
  const answeredBefore = await unanswered(h, all);

  // Restart with N apps: stop, start, until `apps` answers and every app answers through the router.
  const reloadsBeforeRestart = (await haproxyFootprint(h))?.reloads ?? -1;
  const stopStarted = performance.now();
  await h.stopServer();
  const stopMs = Math.round(performance.now() - stopStarted);
  const restartStarted = performance.now();
  await h.startServer(serverEnv);
  const healthMs = Math.round(performance.now() - restartStarted);
  for (;;) {
    const res = await h.cli('apps');
    if (res.code === 0 && res.stdout.includes(appName(APPS))) break;
    if (performance.now() - restartStarted > 120_000) throw new Error('apps did not answer within 120 s of restart');
  }
  const appsAnswerMs = Math.round(performance.now() - restartStarted);
  let notRouted = await unanswered(h, all);
  while (notRouted.length > 0 && performance.now() - restartStarted < 120_000) notRouted = await unanswered(h, all);
  const allRoutedMs = Math.round(performance.now() - restartStarted);
  const afterRestart = await haproxyFootprint(h);
  // One more deploy with N apps right after the restart (the start-up reconcile of every app runs meanwhile).
  const t = performance.now();
  await h.ok('deploy', '-a', appName(1), '--image', tag);
  const deployAfterRestartMs = Math.round(performance.now() - t);
  const final = await checkpoint(h, APPS);
  const answeredAtEnd = await unanswered(h, all);

  const first = Math.min(10, APPS);
  const result = {
    bench: 'scale',
    date: new Date().toISOString(),
    apps: APPS,
    runSeconds: Math.round((Date.now() - started) / 1000),
    create: {
      app1Ms: createMs[0],
      appNMs: createMs.at(-1),
      medianFirst10Ms: median(createMs.slice(0, first)),
      medianLast10Ms: median(createMs.slice(-first)),
    },
    deploy: {
      app1Ms: deployMs[0],
      appNMs: deployMs.at(-1),
      medianFirst10Ms: median(deployMs.slice(0, first)),
      medianLast10Ms: median(deployMs.slice(-first)),
      lastOverFirst: Math.round((median(deployMs.slice(-first)) / median(deployMs.slice(0, first))) * 100) / 100,
      target: 'app N within 1.25x of app 1',
      afterRestartMs: deployAfterRestartMs,
    },
    cliAtN: {
      appsInProcessMs: median(appsInProcess),
      psInProcessMs: median(psInProcess),
      appsChildMs: compiled ? median(appsChild) : null,
      psChildMs: compiled ? median(psChild) : null,
      childIsCompiled: compiled,
      target: '≤ 200 ms',
      samples: { appsInProcess, psInProcess, appsChild, psChild },
    },
    restart: {
      stopMs,
      healthMs,
      appsAnswerMs,
      allRoutedMs,
      notRoutedAfter120s: notRouted.slice(0, 5),
      haproxyReloadsByRestart:
        afterRestart && reloadsBeforeRestart >= 0 ? afterRestart.reloads - reloadsBeforeRestart : null,
      target: '≤ 5000 ms until apps answers and every app answers through the router',
    },
    haproxyReloads: {
      master: final.haproxy?.reloads,
      serverEvents: final.reloadEvents,
      note:
        'master = reloads since HAProxy started (it outlives the server restart); ' +
        'serverEvents = haproxy.reloaded events in the server log',
    },
    routedBeforeRestart: { failed: answeredBefore.length, first: answeredBefore.slice(0, 5) },
    routedAtEnd: { failed: answeredAtEnd.length, first: answeredAtEnd.slice(0, 5) },
    checkpoints: [...checkpoints, { ...final, apps: APPS, afterRestart: true }],
    deployOutput,
    createMs,
    deployMs,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'scale.json'), JSON.stringify(result, null, 2) + '\n');
  const { createMs: _c, deployMs: _d, deployOutput: _o, ...summary } = result;
  console.log(JSON.stringify(summary, null, 2));
} finally {
  h.removeAppContainers(); // kills the server first: its supervisor would restart what is being removed
  removeHomeContainers(h, [tag]);
  await h.destroy();
  rmSync(scratch, { recursive: true, force: true });
}
