/**
 * Measuring helpers shared by bench/scale and bench/endurance: process RSS and fds from /proc, the
 * HAProxy tree of a Slipway home, its master's reload counter, and medians.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendSocketCommand } from '../src/router/runtime-client.js';
import { parseShowProc, type ProcessTable } from '../src/router/master-cli.js';
import type { Harness } from '../test/e2e/harness.js';

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
};

/** VmRSS of a process in MB (0 when it is gone). */
export function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process used so far, in ms (0 when it is gone). */
export function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100); // clock ticks of 10 ms
  } catch {
    return 0;
  }
}

/** Pids of processes named exactly `name` (pgrep -x). */
export function pidsNamed(name: string): number[] {
  try {
    return execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * CPU use in ms per second of wall time between calls, per named process group: `sample()` returns the
 * rates since the previous sample (the first call only starts counting).
 */
export function cpuMeter(groups: Record<string, () => number[]>): () => Record<string, number> {
  let last: { at: number; used: Record<string, Map<number, number>> } | undefined;
  return () => {
    const at = performance.now();
    const used: Record<string, Map<number, number>> = {};
    const rates: Record<string, number> = {};
    for (const [group, pids] of Object.entries(groups)) {
      used[group] = new Map(pids().map((pid) => [pid, cpuMs(pid)]));
      if (!last) continue;
      let delta = 0;
      // A process that appeared since the last sample counts from its start.
      for (const [pid, ms] of used[group]) delta += ms - (last.used[group]?.get(pid) ?? 0);
      rates[group] = Math.round(delta / ((at - last.at) / 1000));
    }
    last = { at, used };
    return rates;
  };
}

/** Open file descriptors of a process (0 when it is gone). */
export function fdCount(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Direct children of `pid` (from /proc/<child>/stat). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function masterSocket(h: Harness): string {
  return join(h.home, 'haproxy', 'master.sock');
}

export function runtimeSocket(h: Harness): string {
  return join(h.home, 'haproxy', 'runtime.sock');
}

/** The master's `show proc` (reload counter, current and old workers); undefined when it does not answer. */
export async function haproxyProcs(h: Harness): Promise<ProcessTable | undefined> {
  if (!existsSync(masterSocket(h))) return undefined;
  try {
    return parseShowProc(await sendSocketCommand(masterSocket(h), 'show proc', { timeoutMs: 5000 }));
  } catch {
    return undefined;
  }
}

export interface HaproxyFootprint {
  masterPid: number;
  /** Master + current workers + old workers still finishing requests. */
  rssMb: number;
  masterRssMb: number;
  workerRssMb: number;
  workers: number;
  oldWorkers: number;
  /** fds of the current worker(s). */
  workerFds: number;
  reloads: number;
  failedReloads: number;
}

export async function haproxyFootprint(h: Harness): Promise<HaproxyFootprint | undefined> {
  const table = await haproxyProcs(h);
  const masterPid = table?.masterPid ?? h.haproxyPid();
  if (!masterPid) return undefined;
  const children = childPids(masterPid);
  const workers = table?.workers ?? children;
  const old = table?.oldWorkers ?? [];
  const all = [masterPid, ...new Set([...children, ...workers, ...old])];
  const sum = (pids: number[]) => Math.round(pids.reduce((a, p) => a + rssMb(p), 0) * 10) / 10;
  return {
    masterPid,
    rssMb: sum(all),
    masterRssMb: rssMb(masterPid),
    workerRssMb: sum(workers),
    workers: workers.length,
    oldWorkers: old.length,
    workerFds: workers.reduce((a, p) => a + fdCount(p), 0),
    reloads: table?.reloads ?? -1,
    failedReloads: table?.failedReloads ?? -1,
  };
}

/** `haproxy.reloaded` events in the server's log so far (every reload the server asked for). */
export function reloadEvents(h: Harness): number {
  return h.serverLog.split('\n').filter((line) => line.includes('"type":"haproxy.reloaded"')).length;
}

/** Runs `fn` `times` times, returns each wall time in ms. */
export async function timeEach(times: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await fn();
    out.push(Math.round(performance.now() - started));
  }
  return out;
}

/** Runs bin/slipway as a child process (the compiled CLI when dist/ is built); its wall time in ms. */
export function timeChildCli(h: Harness, root: string, argv: string[]): number {
  const started = performance.now();
  execFileSync(process.execPath, [join(root, 'bin', 'slipway'), ...argv], {
    env: h.env,
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return Math.round(performance.now() - started);
}

/** Runs `tasks` with at most `limit` at a time. */
export async function pool<T>(limit: number, items: T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  });
  await Promise.all(workers);
}

/** Every container of this home (label slipway.instance), removed; then the image `tag` if given. */
export function removeHomeContainers(h: Harness, images: string[] = []): void {
  let instance = '';
  try {
    instance = readFileSync(join(h.home, 'instance-id'), 'utf8').trim();
  } catch {
    // no home: nothing was created
  }
  if (instance) {
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=slipway.instance=${instance}`], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .filter(Boolean);
    for (let i = 0; i < ids.length; i += 100)
      execFileSync('docker', ['rm', '-f', ...ids.slice(i, i + 100)], { stdio: 'ignore' });
  }
  for (const image of images) {
    try {
      execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
