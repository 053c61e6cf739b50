import type { ChildProcess } from 'node:child_process';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pollUntil } from '../core/abort.js';
import { SlipwayError, toSlipwayError } from '../core/errors.js';
import { assertPortFree } from '../router/haproxy-process.js';
import { renderRegistryConfig } from './registry-config.js';
import { DEFAULT_REGISTRY_BIN, probeRegistry, registryLogTail, spawnRegistry, stopChild } from './registry-process.js';
import { stopStaleRegistry } from './registry-stale.js';
import type { RegistryTls } from './registry-tls.js';

export type RegistryEvent =
  | { type: 'registry.started'; pid: number; address: string }
  | { type: 'registry.died'; pid: number; exitCode: number | null; signal: string | null }
  | { type: 'registry.restarting'; attempt: number; delayMs: number }
  | { type: 'registry.restart-failed'; error: SlipwayError }
  | { type: 'registry.gave-up'; restarts: number }
  | { type: 'registry.stopped' };

export interface RegistryRestartPolicy {
  /** At most this many restarts within `windowMs`, then it gives up (event `registry.gave-up`). */
  maxRestarts: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RegistrySupervisorOptions {
  registryBin?: string;
  /** SLIPWAY_HOME/registry: config.yml, registry.log and data/ live here. */
  dir: string;
  bind: string;
  port: number;
  tls: RegistryTls;
  htpasswdFile: string;
  startTimeoutMs?: number;
  restart?: Partial<RegistryRestartPolicy>;
  log?: (event: RegistryEvent) => void;
}

const DEFAULT_POLICY: RegistryRestartPolicy = { maxRestarts: 5, windowMs: 60_000, baseDelayMs: 250, maxDelayMs: 8_000 };

export interface RegistryPaths {
  config: string;
  logFile: string;
  pidFile: string;
  data: string;
}

export function registryPaths(dir: string): RegistryPaths {
  const at = (name: string) => path.join(dir, name);
  return { config: at('config.yml'), logFile: at('registry.log'), pidFile: at('registry.pid'), data: at('data') };
}

/**
 * Runs CNCF distribution (`docker-registry serve CONFIG`) as a child process: writes its config,
 * starts it, waits until `GET /v2/` answers 401 over TLS with Slipway's CA, restarts it with a
 * bounded backoff when it dies, stops it cleanly.
 */
export class RegistrySupervisor {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarts: number[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly policy: RegistryRestartPolicy;

  constructor(private readonly opts: RegistrySupervisorOptions) {
    this.policy = { ...DEFAULT_POLICY, ...opts.restart };
  }

  /** `BIND:PORT`, the registry's address. */
  get address(): string {
    return `${this.opts.bind}:${this.opts.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(signal?: AbortSignal): Promise<void> {
    this.stopping = false;
    return this.exclusive(() => this.launch(signal));
  }

  /** Stops and starts the registry (distribution reads its certificate only at start: after a new leaf). */
  restart(signal?: AbortSignal): Promise<void> {
    this.stopping = false;
    return this.exclusive(async () => {
      const child = this.child;
      this.child = undefined;
      if (child) await stopChild(child, 10_000);
      await this.launch(signal);
    });
  }

  stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    return this.exclusive(async () => {
      const child = this.child;
      this.child = undefined;
      if (child) await stopChild(child, 10_000);
      await rm(registryPaths(this.opts.dir).pidFile, { force: true });
      this.log({ type: 'registry.stopped' });
    });
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async launch(signal?: AbortSignal): Promise<void> {
    if (this.child) return;
    const { dir, bind, port, tls, htpasswdFile } = this.opts;
    const paths = registryPaths(dir);
    await mkdir(paths.data, { recursive: true, mode: 0o700 });
    await stopStaleRegistry(paths.pidFile, paths.config);
    await assertPortFree(bind, port, 'SLIPWAY_REGISTRY_PORT');
    const config = renderRegistryConfig({
      rootDirectory: paths.data,
      bind,
      port,
      certFile: tls.certFile,
      keyFile: tls.keyFile,
      htpasswdFile,
    });
    await writeFile(`${paths.config}.tmp`, config, { mode: 0o600 });
    await rename(`${paths.config}.tmp`, paths.config);
    const logFrom = await stat(paths.logFile).then(
      (s) => s.size,
      () => 0,
    );
    const child = await spawnRegistry(this.opts.registryBin ?? DEFAULT_REGISTRY_BIN, paths.config, paths.logFile);
    const timeoutMs = this.opts.startTimeoutMs ?? 15_000;
    try {
      await pollUntil(
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) {
            throw new SlipwayError('REGISTRY_FAILED', `the registry exited at start (code ${child.exitCode})`, {
              hint: `see ${paths.logFile}`,
              details: { output: await registryLogTail(paths.logFile, logFrom) },
            });
          }
          const status = await probeRegistry(bind, port, tls.caPem);
          return status === 401 ? true : undefined;
        },
        {
          timeoutMs,
          intervalMs: 100,
          what: `the registry to answer 401 on https://${this.address}/v2/`,
          hint: `see ${paths.logFile}`,
          ...(signal ? { signal } : {}),
        },
      );
    } catch (err) {
      await stopChild(child, 5_000);
      throw err;
    }
    this.child = child;
    await writeFile(paths.pidFile, `${child.pid}\n`, { mode: 0o600 });
    child.once('exit', (exitCode, sig) => this.onExit(child, exitCode, sig));
    this.log({ type: 'registry.started', pid: child.pid ?? 0, address: this.address });
  }

  private onExit(child: ChildProcess, exitCode: number | null, sig: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (this.stopping) return;
    this.log({ type: 'registry.died', pid: child.pid ?? 0, exitCode, signal: sig });
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.stopping) return;
    const now = Date.now();
    this.restarts = this.restarts.filter((at) => now - at < this.policy.windowMs);
    if (this.restarts.length >= this.policy.maxRestarts) {
      this.log({ type: 'registry.gave-up', restarts: this.restarts.length });
      return;
    }
    const attempt = this.restarts.length + 1;
    const delayMs = Math.min(this.policy.baseDelayMs * 2 ** (attempt - 1), this.policy.maxDelayMs);
    this.restarts.push(now);
    this.log({ type: 'registry.restarting', attempt, delayMs });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.exclusive(() => this.launch()).catch((err: unknown) => {
        this.log({ type: 'registry.restart-failed', error: toSlipwayError(err) });
        this.scheduleRestart();
      });
    }, delayMs);
    this.restartTimer.unref();
  }

  private log(event: RegistryEvent): void {
    this.opts.log?.(event);
  }
}

/** Removes what the supervisor made under `dir` (config, log, data). For tests and `slipway uninstall`. */
export async function removeRegistryFiles(dir: string): Promise<void> {
  const paths = registryPaths(dir);
  await Promise.all(
    [paths.config, paths.logFile, paths.pidFile, paths.data].map((p) => rm(p, { recursive: true, force: true })),
  );
}
