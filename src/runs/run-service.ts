import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import { SlipwayError } from '../core/errors.js';
import { LABELS } from '../core/types.js';
import { makeRedactor } from '../core/redact.js';
import { startAttached, type AttachedContainer } from '../engine/docker-attach.js';
import { newRunIndex, oneOffSpec, resolveRunTarget, RUN_DYNO } from './run-spec.js';
import { retireOneOff, waitForExit } from './one-off-exit.js';

export interface RunRequest {
  app: string;
  command: string[];
  /** Default: the current release. */
  release?: number;
  stdin: boolean;
  tty: boolean;
}

export interface StartedRun extends AttachedContainer {
  release: number;
  /** Waits for the command to end, removes its container, returns the exit code. */
  finish(): Promise<number>;
  /** The client went away: closes the stream and kills and removes the container. */
  cancel(): Promise<void>;
}

/** A one-off container started without a client attached (`run --detach`, a scheduled job). */
export interface LaunchedRun {
  containerId: string;
  /** `run.ab12cd`: its tag in `logs` and `ps`. */
  dyno: string;
  release: number;
  redact: (s: string) => string;
}

/** Detached one-offs of one app running at once, at most. */
export const MAX_DETACHED_RUNS = 20;
/** How long `ps:stop run.…` waits for a stopped one-off's logs to be kept and its container removed. */
const RETIRE_WAIT_MS = 15_000;

/**
 * One-off processes: a new container of a release (same image, same config). Attached ones
 * (`run`, `run -i`) end with their client; detached ones (`run --detach`) run on, their output in
 * `logs`, and when they end their logs are kept in the store and their container is removed — also
 * after a server restart (`recover`).
 */
export class RunService {
  private readonly watchers = new Map<string, Promise<void>>();
  private readonly controller = new AbortController();

  constructor(
    private readonly deps: {
      engine: ContainerEngine;
      store: Store;
      scope?: Record<string, string>;
      log?: (message: string) => void;
    },
  ) {}

  async start(req: RunRequest): Promise<StartedRun> {
    const { engine } = this.deps;
    if (req.command.length === 0)
      throw new SlipwayError('INVALID_INPUT', 'no command to run', { hint: 'slipway run -a APP -- COMMAND [ARGS…]' });
    const target = resolveRunTarget(this.deps.store, req.app, req.release);
    const spec = oneOffSpec(target, req.command, newRunIndex(), this.deps.scope);
    const attached = await startAttached(spec, { stdin: req.stdin, tty: req.tty });
    return {
      ...attached,
      release: target.release,
      finish: async () => {
        try {
          return await engine.waitContainer(attached.id);
        } finally {
          await engine.removeContainer(attached.id, { force: true }).catch(() => undefined);
        }
      },
      cancel: async () => {
        attached.stream.destroy();
        await engine.removeContainer(attached.id, { force: true }).catch(() => undefined);
      },
    };
  }

  /** Starts a one-off with nobody attached; `labels` say what it is (detached, a scheduled job). */
  async launch(
    req: { app: string; command: string[]; release?: number },
    labels: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<LaunchedRun> {
    const target = resolveRunTarget(this.deps.store, req.app, req.release);
    const index = newRunIndex();
    const info = await this.deps.engine.runContainer(oneOffSpec(target, req.command, index, labels), signal);
    return {
      containerId: info.id,
      dyno: `run.${index}`,
      release: target.release,
      redact: makeRedactor(target.config),
    };
  }

  /** `run --detach`: the one-off keeps running after the request; watched until it ends. */
  async startDetached(req: { app: string; command: string[]; release?: number }): Promise<Omit<LaunchedRun, 'redact'>> {
    const app = this.deps.store.apps.get(req.app).name;
    const running = await this.detachedContainers(app);
    if (running.filter((c) => c.state === 'running').length >= MAX_DETACHED_RUNS) {
      throw new SlipwayError('INVALID_INPUT', `${app} already has ${MAX_DETACHED_RUNS} detached one-offs running`, {
        hint: `stop one first: \`slipway ps -a ${app}\` lists them, \`slipway ps:stop -a ${app} run.ID\` stops one`,
      });
    }
    const run = await this.launch(req, { [LABELS.detached]: 'true' });
    this.watch(run.containerId, run.redact);
    return { containerId: run.containerId, dyno: run.dyno, release: run.release };
  }

  /**
   * `ps:stop run.ab12cd`: SIGTERM, then SIGKILL after the app's stop.grace. A detached one-off is then
   * retired (logs kept, container removed) before this returns; an attached one ends its session.
   */
  async stopOneOff(appName: string, dyno: string): Promise<{ dyno: string; exitCode?: number }> {
    const app = this.deps.store.apps.get(appName);
    if (!RUN_DYNO.test(dyno))
      throw new SlipwayError('INVALID_INPUT', `${JSON.stringify(dyno.slice(0, 40))} is not a one-off`, {
        hint: 'one-offs are named like run.ab12cd (see `slipway ps`)',
      });
    const [container] = await this.deps.engine.listContainers({
      [LABELS.app]: app.name,
      [LABELS.managed]: 'true',
      [LABELS.process]: 'run',
      [LABELS.index]: dyno.slice('run.'.length),
    });
    if (!container)
      throw new SlipwayError('NOT_FOUND', `${app.name} has no one-off ${dyno} running`, {
        hint: `finished one-offs are removed; their output is in \`slipway logs -a ${app.name} --ps run\``,
      });
    await this.deps.engine.stopContainer(container.id, app.settings.stopGraceSec);
    const exitCode = (await this.deps.engine.inspectContainer(container.id).catch(() => null))?.exitCode;
    const watcher = this.watchers.get(container.id);
    if (watcher) await Promise.race([watcher, new Promise((r) => setTimeout(r, RETIRE_WAIT_MS).unref())]);
    return { dyno, ...(exitCode === undefined ? {} : { exitCode }) };
  }

  /** After a server start: detached one-offs still running are watched again; ended ones are retired now. */
  async recover(): Promise<number> {
    const containers = await this.detachedContainers();
    for (const c of containers) {
      const app = c.labels[LABELS.app];
      const version = Number(c.labels[LABELS.release]?.replace(/^v/, ''));
      const config = app && this.deps.store.apps.find(app) ? this.releaseConfig(app, version) : {};
      this.watch(c.id, makeRedactor(config));
    }
    return containers.length;
  }

  /** Stops watching (the containers keep running; the next server start watches them again). */
  async close(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.watchers.values()]);
  }

  private releaseConfig(app: string, version: number): Record<string, string> {
    try {
      return this.deps.store.releases.config(app, version);
    } catch {
      return {};
    }
  }

  private detachedContainers(app?: string) {
    return this.deps.engine.listContainers({
      [LABELS.managed]: 'true',
      [LABELS.detached]: 'true',
      ...(app ? { [LABELS.app]: app } : {}),
    });
  }

  /** Waits for a detached one-off to end, then keeps its logs and removes it (once per container). */
  private watch(id: string, redact: (s: string) => string): void {
    if (this.watchers.has(id)) return;
    const { engine, store } = this.deps;
    const signal = this.controller.signal;
    const watcher = (async () => {
      try {
        const exitCode = await waitForExit(engine, id, signal);
        await retireOneOff(engine, store.logs, id, { exitCode, redact });
      } catch (err) {
        if (!signal.aborted)
          this.deps.log?.(`one-off ${id.slice(0, 12)}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        this.watchers.delete(id);
      }
    })();
    this.watchers.set(id, watcher);
  }
}
