import { rm } from 'node:fs/promises';
import { pollUntil } from '../core/abort.js';
import { SlipwayError, isSlipwayError } from '../core/errors.js';
import type { HaproxyPaths, PlatformApi } from './haproxy-config.js';
import { haproxyVersion, writeValidatedFiles } from './haproxy-files.js';
import {
  assertPortFree,
  isPidAlive,
  portInUseError,
  readPid,
  spawnDetachedHaproxy,
  stopProcessTree,
} from './haproxy-process.js';
import { RELOAD_COMMAND, SHOW_PROC_COMMAND, parseShowProc, type ProcessTable } from './master-cli.js';
import type { AppRoute } from './port.js';
import { SHOW_INFO_COMMAND, parseShowInfo } from './runtime-commands.js';
import { sendSocketCommand } from './runtime-client.js';

export type SupervisorEvent =
  | { type: 'haproxy.started'; masterPid: number }
  | { type: 'haproxy.adopted'; masterPid: number }
  | { type: 'haproxy.reloaded'; workerPid: number }
  | { type: 'haproxy.died'; masterPid: number }
  | { type: 'haproxy.restart-failed'; error: SlipwayError };

export interface HaproxySupervisorOptions {
  haproxyBin: string;
  paths: HaproxyPaths;
  httpBind: string;
  httpPort: number;
  /** The HTTPS frontend's address; no HTTPS when undefined. */
  https?: { bind: string; port: number } | undefined;
  domain: string;
  /** The remote API host on the HTTPS port. */
  platform?: PlatformApi | undefined;
  /** Requests are logged into the access log ring (see access-log.ts). */
  accessLog?: boolean;
  /** How often liveness is checked while watching. */
  watchIntervalMs?: number;
  log?: (event: SupervisorEvent) => void;
}

const START_TIMEOUT_MS = 15_000;

/** Runs one HAProxy master-worker tree: start or adopt, validated writes, seamless reload, restart on death. */
export class HaproxySupervisor {
  private masterPid: number | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: HaproxySupervisorOptions) {}

  /** Runs `task` after every earlier start/reload/restart finished (one change to HAProxy at a time). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Adopts a live HAProxy (reloading it with `routes`) or starts a new one. */
  start(routes: AppRoute[], signal?: AbortSignal): Promise<'adopted' | 'started'> {
    return this.exclusive(async () => {
      await haproxyVersion(this.opts.haproxyBin);
      const running = await this.runningTable(signal);
      await this.writeFiles(routes);
      if (running) {
        this.masterPid = running.masterPid;
        this.log({ type: 'haproxy.adopted', masterPid: running.masterPid });
        await this.reloadNow(signal);
        return 'adopted';
      }
      await this.startFresh(signal);
      return 'started';
    });
  }

  /** Writes the config for `routes` (validated) and reloads seamlessly. */
  reload(routes: AppRoute[], signal?: AbortSignal): Promise<void> {
    return this.exclusive(() => this.writeAndReload(routes, signal));
  }

  /** Inside exclusive() only: writes the config for `routes` (validated) and reloads seamlessly. */
  async writeAndReload(routes: AppRoute[], signal?: AbortSignal): Promise<void> {
    await this.writeFiles(routes);
    await this.reloadNow(signal);
  }

  /**
   * Inside exclusive() only: writes the files for `routes` (validated) without telling HAProxy, for changes
   * then made through the runtime API (and for the next start or reload).
   */
  write(routes: AppRoute[]): Promise<void> {
    return this.writeFiles(routes);
  }

  /** Polls liveness; when HAProxy died, starts it again with `getRoutes()` and calls `onRestarted`. */
  watch(getRoutes: () => AppRoute[], onRestarted: () => Promise<void>): void {
    this.unwatch();
    const interval = this.opts.watchIntervalMs ?? 1_000;
    const tick = async () => {
      const pid = this.masterPid;
      if (pid !== undefined && !isPidAlive(pid)) {
        this.log({ type: 'haproxy.died', masterPid: pid });
        try {
          await this.exclusive(async () => {
            await this.writeFiles(getRoutes());
            await this.startFresh(undefined, 10_000);
          });
          await onRestarted();
        } catch (err) {
          this.log({
            type: 'haproxy.restart-failed',
            error: isSlipwayError(err) ? err : new SlipwayError('INTERNAL', String(err)),
          });
        }
      }
      if (this.watchTimer) this.watchTimer = setTimeout(() => void tick(), interval).unref();
    };
    this.watchTimer = setTimeout(() => void tick(), interval).unref();
  }

  unwatch(): void {
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = undefined;
  }

  /** Stops HAProxy (SIGTERM to the master, SIGKILL after 10 s) and removes its sockets and pidfile. */
  stopProxy(): Promise<void> {
    return this.exclusive(async () => {
      const table = await this.runningTable();
      const pid = table?.masterPid ?? this.masterPid ?? (await readPid(this.opts.paths.pidFile));
      if (pid !== undefined && isPidAlive(pid))
        await stopProcessTree(pid, [...(table?.workers ?? []), ...(table?.oldWorkers ?? [])], 10_000);
      this.masterPid = undefined;
      const { masterSocket, runtimeSocket, pidFile } = this.opts.paths;
      await Promise.all([masterSocket, runtimeSocket, pidFile].map((file) => rm(file, { force: true })));
    });
  }

  /** The master's process table when a live HAProxy answers on our master socket. */
  async runningTable(signal?: AbortSignal): Promise<ProcessTable | undefined> {
    const pid = await readPid(this.opts.paths.pidFile);
    if (pid === undefined || !isPidAlive(pid)) return undefined;
    try {
      const table = parseShowProc(await this.master(SHOW_PROC_COMMAND, signal));
      return table?.masterPid === pid ? table : undefined;
    } catch {
      return undefined;
    }
  }

  private async writeFiles(routes: AppRoute[]): Promise<void> {
    const { httpBind, httpPort, https, domain, platform } = this.opts;
    const accessLog = this.opts.accessLog === true;
    await writeValidatedFiles(this.opts.haproxyBin, this.opts.paths, {
      httpBind,
      httpPort,
      https,
      domain,
      routes,
      accessLog,
      platform,
    });
  }

  private async startFresh(signal?: AbortSignal, portWaitMs = 0): Promise<void> {
    const { httpBind, httpPort, https, paths } = this.opts;
    const listeners = [{ bind: httpBind, port: httpPort, variable: 'SLIPWAY_HTTP_PORT' }];
    if (https) listeners.push({ ...https, variable: 'SLIPWAY_HTTPS_PORT' });
    for (const { bind, port, variable } of listeners) {
      await pollUntil(
        () =>
          assertPortFree(bind, port, variable).then(
            () => true,
            (err) => (portWaitMs > 0 ? undefined : Promise.reject(err)),
          ),
        {
          timeoutMs: portWaitMs,
          intervalMs: 200,
          what: `port ${port} to be free`,
          ...(signal ? { signal } : {}),
        },
      ).catch((err) =>
        Promise.reject(
          isSlipwayError(err) && err.code === 'TIMEOUT' ? portInUseError(bind, port, undefined, variable) : err,
        ),
      );
    }
    await Promise.all(
      [paths.masterSocket, paths.runtimeSocket, paths.pidFile].map((file) => rm(file, { force: true })),
    );
    try {
      await spawnDetachedHaproxy(this.opts.haproxyBin, paths, START_TIMEOUT_MS);
    } catch (err) {
      if (isSlipwayError(err) && err.details?.['bindFailed'] === true) {
        const failed =
          listeners.find(({ port }) => String(err.details?.['output'] ?? '').includes(`:${port}]`)) ?? listeners[0]!;
        throw portInUseError(failed.bind, failed.port, err, failed.variable);
      }
      throw err;
    }
    const table = await pollUntil(() => this.runningTable(signal), {
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 50,
      what: 'the HAProxy master to answer',
      ...(signal ? { signal } : {}),
    });
    this.masterPid = table.masterPid;
    await this.waitWorkerAnswers(table, signal);
    this.log({ type: 'haproxy.started', masterPid: table.masterPid });
  }

  /** Master CLI `reload`, then waits until a new worker answers on the runtime socket. */
  private async reloadNow(signal?: AbortSignal): Promise<void> {
    const before = await this.requireTable(signal);
    await this.master(RELOAD_COMMAND, signal).catch(() => undefined); // the master closes the connection
    const after = await pollUntil(
      async () => {
        const table = await this.runningTable(signal);
        if (!table || table.reloads + table.failedReloads <= before.reloads + before.failedReloads) return undefined;
        return table;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 50, what: 'HAProxy to reload', ...(signal ? { signal } : {}) },
    );
    if (after.failedReloads > before.failedReloads) {
      throw new SlipwayError('HAPROXY_UNAVAILABLE', 'HAProxy failed to reload; the previous workers keep serving', {
        details: { log: this.opts.paths.logFile },
      });
    }
    this.masterPid = after.masterPid;
    const workerPid = await this.waitWorkerAnswers(after, signal);
    this.log({ type: 'haproxy.reloaded', workerPid });
  }

  private async waitWorkerAnswers(table: ProcessTable, signal?: AbortSignal): Promise<number> {
    return pollUntil(
      async () => {
        const info = await sendSocketCommand(this.opts.paths.runtimeSocket, SHOW_INFO_COMMAND, {
          timeoutMs: 2_000,
          ...(signal ? { signal } : {}),
        }).catch(() => '');
        const pid = Number(parseShowInfo(info)['Pid']);
        return table.workers.includes(pid) ? pid : undefined;
      },
      {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 50,
        what: 'the new HAProxy worker to answer',
        ...(signal ? { signal } : {}),
      },
    );
  }

  private async requireTable(signal?: AbortSignal): Promise<ProcessTable> {
    const table = await this.runningTable(signal);
    if (!table)
      throw new SlipwayError('HAPROXY_UNAVAILABLE', 'HAProxy is not running', {
        hint: 'start the Slipway server; it starts HAProxy',
      });
    return table;
  }

  private master(command: string, signal?: AbortSignal): Promise<string> {
    return sendSocketCommand(this.opts.paths.masterSocket, command, {
      timeoutMs: 5_000,
      ...(signal ? { signal } : {}),
    });
  }

  private log(event: SupervisorEvent): void {
    this.opts.log?.(event);
  }
}
