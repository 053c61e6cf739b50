import type { ContainerEngine } from '../engine/port.js';
import type { Router } from '../router/port.js';
import type { Store } from '../store/store.js';
import { resourceLimitsFor, type AppSettings } from '../core/types.js';
import { SlipwayError } from '../core/errors.js';
import { stage, type EventSink } from '../core/events.js';
import { abortError, sleep } from '../core/abort.js';
import { probeUntilHealthy, type ProbeResult } from '../health/probe.js';
import { placementFor } from '../nodes/placement.js';
import { processContainerSpec } from './container-spec.js';
import { archiveContainerLogs } from '../logs/archive-logs.js';
import { makeRedactor } from '../core/redact.js';
import { createFailpoints } from '../core/failpoints.js';
import { containerExitedError, unlessExited, watchExit } from './container-exit.js';
import { routeCheck } from './app-routes.js';
import type { DeployStep, DesiredState } from './plan-types.js';
import { dyno, routeTarget, short } from './route-target.js';

const failpoint = createFailpoints();

export interface RolloutTarget {
  app: string;
  deploymentId: number;
  /** The release, its image and formation the steps move towards. */
  desired: DesiredState;
  config: Record<string, string>;
  settings: AppSettings;
  /** false: removed containers' logs are not archived (apps:destroy: the app's log history goes with it). */
  archiveLogs?: boolean;
}

export interface RolloutDeps {
  engine: ContainerEngine;
  router: Router;
  store: Store;
  emit: EventSink;
  signal?: AbortSignal;
}

interface Started {
  id: string;
  name: string;
  /** Where HAProxy and the probe reach a web container: its bridge IP and container port. */
  address?: string;
  port?: number;
  /** The address is the container's own (no proxy in front of it). */
  direct?: boolean;
  serverName?: string;
}

/** Runs planned steps one by one; each step is journaled (started → done/failed) before and after it runs. */
export class RolloutExecutor {
  private readonly started = new Map<string, Started>();

  constructor(
    private readonly deps: RolloutDeps,
    private readonly target: RolloutTarget,
  ) {}

  async execute(steps: DeployStep[]): Promise<void> {
    const { store } = this.deps;
    const seqs = store.deployments.appendSteps(this.target.deploymentId, steps);
    for (const [i, step] of steps.entries()) {
      const seq = seqs[i]!;
      // Aborted between two steps: the next one is not begun (it stays pending in the journal).
      if (this.deps.signal?.aborted) throw this.interrupted(step, abortError(this.deps.signal));
      store.deployments.markStep(this.target.deploymentId, seq, 'started', new Date().toISOString());
      try {
        failpoint(`before-${step.kind}`);
        const result = await this.run(step);
        store.deployments.markStep(this.target.deploymentId, seq, 'done', new Date().toISOString(), result);
        failpoint(`after-${step.kind}`);
      } catch (err) {
        store.deployments.markStep(this.target.deploymentId, seq, 'failed', new Date().toISOString());
        if (this.deps.signal?.aborted) {
          // Cut short by the run's signal (the server stopping, the request cancelled), not failed: whatever the
          // step cut surfaces as (a probe "never healthy", a wait "never UP"), the container it started did
          // nothing wrong. It keeps running for level-triggered recovery, never killed here.
          if (step.kind === 'route-add') await this.unrouteHalfAdded(step.key);
          throw this.interrupted(step, err);
        }
        if ('key' in step) await this.discard(step.key);
        throw err;
      }
    }
  }

  /**
   * The run was aborted at `step`: an ABORTED error (the step's own error in its details), journaled. Containers it
   * started are left running, routed as far as they got: the deployment's revert, or at the next start
   * `recoverInterrupted` and the supervisor, reconcile them against the formation with the usual zero-downtime steps.
   */
  private interrupted(step: DeployStep, err: unknown): SlipwayError {
    const left = [...this.started.entries()].map(([key, c]) => `${key} (${short(c.id)})`);
    const where = 'key' in step ? `${step.kind} ${step.key}` : step.kind;
    this.deps.emit({
      type: 'info',
      text:
        `interrupted at ${where}` +
        (left.length > 0 ? `; left running for recovery: ${left.join(', ')}` : '; nothing it started is left'),
      at: new Date().toISOString(),
    });
    const cause = err instanceof Error ? err.message : String(err);
    return new SlipwayError('ABORTED', `interrupted at ${where}: the run was aborted`, {
      cause: err,
      details: { step: step.kind, ...('key' in step ? { key: step.key } : {}), cause, leftRunning: left },
    });
  }

  /**
   * An aborted route-add may have reached the store but not HAProxy (or HAProxy only half: added, not yet checked
   * or ready). A half-made route is undone (best effort, no signal); its container keeps running, unrouted.
   */
  private async unrouteHalfAdded(key: string): Promise<void> {
    const c = this.started.get(key);
    if (!c) return;
    const serverName = this.serverNameOf(key, c);
    await this.deps.router.removeServer(this.target.app, serverName, { timeoutMs: 5000 }).catch(() => undefined);
    this.deps.store.routes.remove(this.target.app, serverName);
    delete c.serverName;
  }

  private async run(step: DeployStep): Promise<unknown> {
    switch (step.kind) {
      case 'start':
        return this.start(step.key, step.process, step.index);
      case 'probe':
        return this.probe(step.key);
      case 'route-add':
        return this.routeAdd(step.key, step.weight);
      case 'wait-up':
        return this.waitUp(step.key);
      case 'check-running':
        return this.checkRunning(step.key);
      case 'route-ready':
        return stage(this.deps.emit, 'route', `return ${step.serverName} to rotation`, () =>
          this.backInRotation(step.serverName),
        );
      case 'drain':
        return this.drain(step.serverName);
      case 'wait-drained':
        return this.waitDrained(step.serverName);
      case 'route-remove':
        return this.routeRemove(step.serverName);
      case 'stop':
        return stage(this.deps.emit, 'stop', `stop ${short(step.containerId)}`, () =>
          this.deps.engine.stopContainer(step.containerId, this.target.settings.stopGraceSec, this.deps.signal),
        );
      case 'switch':
        return this.switchAll(step.enable, step.drain);
      case 'switch-warm':
        return this.switchWarm(step.enable, step.drain);
      case 'park':
        return this.park(step.serverName);
      case 'remove': {
        const archived =
          this.target.archiveLogs === false
            ? 0
            : await archiveContainerLogs(
                this.deps.engine,
                this.deps.store.logs,
                step.containerId,
                makeRedactor(this.target.config),
              );
        await this.deps.engine.removeContainer(step.containerId, { force: true }, this.deps.signal);
        return { archivedLogLines: archived };
      }
    }
  }

  private async start(key: string, process: string, index: number) {
    const t = this.target;
    const image = t.desired.image;
    if (!image)
      throw new SlipwayError('INTERNAL', `no image to start ${process}.${index} from (v${t.desired.release})`);
    const command = t.desired.processes[process] ?? null;
    const spec = processContainerSpec({
      app: t.app,
      release: t.desired.release,
      process,
      index,
      image,
      command,
      config: t.config,
      port: t.settings.port,
      stopGraceSec: t.settings.stopGraceSec,
      deploymentId: t.deploymentId,
      limits: resourceLimitsFor(t.settings, process),
      logRotation: t.settings.logs,
      placement: placementFor(t.settings, process),
    });
    const info = await stage(this.deps.emit, 'start', `start ${process}.${index} (v${t.desired.release})`, () =>
      this.deps.engine.runContainer(spec, this.deps.signal),
    );
    const target = routeTarget(info, t.settings.port);
    this.started.set(key, { id: info.id, name: info.name, ...target });
    if (info.state !== 'running') {
      // It exited before the engine even answered (a missing file, a bad command): say so now.
      const code = info.exitCode ?? (await this.deps.engine.inspectContainer(info.id).catch(() => null))?.exitCode;
      throw containerExitedError(`${process}.${index}`, code, await this.lastLogs(info.id), 'right after it started');
    }
    if (process === 'web' && !target.address) {
      throw new SlipwayError('CONTAINER_FAILED', `${process}.${index} has no network address to route to`, {
        hint: "web containers must run on Docker's bridge network (an IPv4 address) or publish $PORT",
      });
    }
    return { containerId: info.id, ...(target.address ? { address: target.address, port: target.port } : {}) };
  }

  private async probe(key: string) {
    const c = this.get(key);
    const hc = this.target.settings.healthcheck;
    const what = hc.path ? `GET ${hc.path}` : 'TCP connect';
    const outcome = await stage(
      this.deps.emit,
      'probe',
      `health check ${key} (${what})`,
      async () => {
        const watch = watchExit(this.deps.engine, c.id, this.deps.signal);
        try {
          const result = await probeUntilHealthy(
            {
              host: c.address!,
              port: c.port!,
              ...(hc.path ? { path: hc.path, hostHeader: `${this.target.app}.health` } : {}),
              ...(c.direct ? { holdMs: 0 } : {}),
            },
            {
              attempts: hc.attempts,
              intervalMs: hc.intervalMs,
              timeoutMs: hc.timeoutMs,
              ...(this.deps.signal ? { signal: this.deps.signal } : {}),
              exited: watch.exited,
            },
          );
          if (result.exited)
            throw containerExitedError(
              dyno(key),
              result.exitCode,
              await this.lastLogs(c.id),
              'before it answered its health check',
            );
          if (!result.healthy) throw await this.unhealthy(key, c, result.results);
          return result;
        } finally {
          watch.cancel();
        }
      },
      (r) => `${r.results.length} attempt(s)`,
    );
    return { attempts: outcome.results.length };
  }

  private async routeAdd(key: string, weight?: number) {
    const c = this.get(key);
    const serverName = this.serverNameOf(key, c);
    this.deps.store.routes.upsert({
      app: this.target.app,
      serverName,
      containerId: c.id,
      address: c.address!,
      port: c.port!,
      state: 'ready',
      ...(weight === undefined ? {} : { weight }),
    });
    c.serverName = serverName;
    const staged = weight === 0 ? ' (staged: no traffic yet)' : '';
    await stage(this.deps.emit, 'route', `add ${key} to router${staged}`, () =>
      this.deps.router.addServer(
        this.target.app,
        {
          name: serverName,
          address: c.address!,
          port: c.port!,
          state: 'ready',
          ...(weight === undefined ? {} : { weight }),
        },
        routeCheck(this.target.settings),
        this.deps.signal,
      ),
    );
    return { serverName };
  }

  /** Blue-green switch: every staged server gets traffic, then every old one drains — back to back. */
  private async switchAll(enable: string[], drain: { containerId: string; serverName: string }[]) {
    const { router, store } = this.deps;
    const app = this.target.app;
    const started = Date.now();
    await stage(this.deps.emit, 'route', `switch all traffic to v${this.target.desired.release}`, async () => {
      for (const key of enable) store.routes.setWeight(app, this.get(key).serverName!, undefined);
      await Promise.all(
        enable.map((key) => router.setServerWeight(app, this.get(key).serverName!, 1, this.deps.signal)),
      );
      await this.drainAll(drain);
    });
    return { switchMs: Date.now() - started };
  }

  /** Instant rollback: warm servers back to ready (re-added if a reload dropped them), current ones drain. */
  private async switchWarm(
    enable: { containerId: string; serverName: string }[],
    drain: { containerId: string; serverName: string }[],
  ) {
    const started = Date.now();
    await stage(
      this.deps.emit,
      'route',
      `switch all traffic back to the warm set (v${this.target.desired.release})`,
      async () => {
        await Promise.all(enable.map((warm) => this.backInRotation(warm.serverName)));
        await this.drainAll(drain);
      },
    );
    return { switchMs: Date.now() - started };
  }

  /**
   * A server of a kept container takes traffic again: ready at full weight (store first, then HAProxy);
   * re-added and seen UP when HAProxy no longer has it (a reload dropped it).
   */
  private async backInRotation(serverName: string): Promise<{ readded: boolean }> {
    const { router, store } = this.deps;
    const app = this.target.app;
    const route = store.routes.forApp(app).find((r) => r.serverName === serverName);
    if (!route) throw new SlipwayError('INTERNAL', `no stored route ${serverName} of ${app}`);
    store.routes.setState(app, serverName, 'ready');
    if (route.weight === 0) store.routes.setWeight(app, serverName, undefined);
    try {
      await router.setServerState(app, serverName, 'ready', this.deps.signal);
      if (route.weight === 0) await router.setServerWeight(app, serverName, 1, this.deps.signal);
      return { readded: false };
    } catch (err) {
      if (!(err instanceof SlipwayError) || err.code !== 'NOT_FOUND') throw err;
    }
    const server = { name: serverName, address: route.address, port: route.port, state: 'ready' as const };
    await router.addServer(app, server, routeCheck(this.target.settings), this.deps.signal);
    await router.waitServerUp(app, serverName, {
      timeoutMs: 15_000,
      ...(this.deps.signal ? { signal: this.deps.signal } : {}),
    });
    return { readded: true };
  }

  /** Every listed server leaves rotation (store first, then HAProxy), all at once. */
  private async drainAll(servers: { serverName: string }[]): Promise<void> {
    for (const old of servers) this.deps.store.routes.setState(this.target.app, old.serverName, 'drain');
    await Promise.all(
      servers.map((old) => this.deps.router.setServerState(this.target.app, old.serverName, 'drain', this.deps.signal)),
    );
  }

  /** Blue-green: a drained server leaves rotation (maint) but its container keeps running, warm. */
  private async park(serverName: string) {
    const drained = await this.waitDrained(serverName);
    this.deps.store.routes.setState(this.target.app, serverName, 'maint');
    await this.deps.router.setServerState(this.target.app, serverName, 'maint', this.deps.signal);
    return drained;
  }

  private async waitUp(key: string) {
    const c = this.get(key);
    const hc = this.target.settings.healthcheck;
    const timeoutMs = Math.max(10_000, hc.attempts * hc.intervalMs);
    try {
      await stage(this.deps.emit, 'healthy', `router reports ${key} UP`, () =>
        unlessExited(
          watchExit(this.deps.engine, c.id, this.deps.signal),
          this.deps.router.waitServerUp(this.target.app, c.serverName!, {
            timeoutMs,
            ...(this.deps.signal ? { signal: this.deps.signal } : {}),
          }),
          async (code) =>
            containerExitedError(dyno(key), code, await this.lastLogs(c.id), 'before HAProxy reported it UP'),
        ),
      );
    } catch (err) {
      if (err instanceof SlipwayError && err.code === 'CONTAINER_FAILED') throw err;
      const logs = await this.lastLogs(c.id);
      const base = err instanceof SlipwayError ? err : new SlipwayError('HEALTHCHECK_FAILED', String(err));
      throw new SlipwayError(
        'HEALTHCHECK_FAILED',
        `${key} passed Slipway's probe but HAProxy never reported it UP: ${base.message}`,
        {
          hint: 'check that the app answers health checks consistently (`slipway logs`)',
          details: { ...base.details, logs },
        },
      );
    }
    return {};
  }

  private async checkRunning(key: string) {
    const c = this.get(key);
    await stage(this.deps.emit, 'probe', `process check ${key}`, async () => {
      const exitedError = async (code: number | undefined) =>
        containerExitedError(dyno(key), code, await this.lastLogs(c.id), 'right after it started');
      await unlessExited(
        watchExit(this.deps.engine, c.id, this.deps.signal),
        sleep(1000, this.deps.signal),
        exitedError,
      );
      const info = await this.deps.engine.inspectContainer(c.id);
      if (info?.state !== 'running') throw await exitedError(info?.exitCode);
    });
    return {};
  }

  private async drain(serverName: string) {
    this.deps.store.routes.setState(this.target.app, serverName, 'drain');
    await stage(this.deps.emit, 'drain', `drain ${serverName}`, () =>
      this.deps.router.setServerState(this.target.app, serverName, 'drain', this.deps.signal),
    );
    return {};
  }

  private async waitDrained(serverName: string) {
    const drained = await stage(
      this.deps.emit,
      'drain',
      `wait for ${serverName} sessions to end`,
      () =>
        this.deps.router.waitSessionsZero(this.target.app, serverName, {
          timeoutMs: this.target.settings.drainTimeoutMs,
          ...(this.deps.signal ? { signal: this.deps.signal } : {}),
        }),
      (ok) => (ok ? undefined : 'drain timeout reached; remaining sessions are cut'),
    );
    return { drained };
  }

  private async routeRemove(serverName: string) {
    await this.deps.router.removeServer(this.target.app, serverName, {
      timeoutMs: 10_000,
      ...(this.deps.signal ? { signal: this.deps.signal } : {}),
    });
    this.deps.store.routes.remove(this.target.app, serverName);
    return {};
  }

  /** A new container that failed before taking traffic is taken out of the router and killed. */
  private async discard(key: string): Promise<void> {
    const c = this.started.get(key);
    if (!c) return;
    if (c.serverName) {
      await this.deps.router.removeServer(this.target.app, c.serverName, { timeoutMs: 5000 }).catch(() => undefined);
      this.deps.store.routes.remove(this.target.app, c.serverName);
    }
    // Its output explains the failure: keep it in the app's log history (`slipway logs`) like any removed container's.
    await archiveContainerLogs(this.deps.engine, this.deps.store.logs, c.id, makeRedactor(this.target.config)).catch(
      () => 0,
    );
    await this.deps.engine.removeContainer(c.id, { force: true }).catch(() => undefined);
    this.started.delete(key);
    this.deps.emit({ type: 'info', text: `removed failed container ${key}`, at: new Date().toISOString() });
  }

  /** `web-1-<container id>`: the HAProxy server (and stored route) of a started web container. */
  private serverNameOf(key: string, c: Started): string {
    return `${dyno(key).replace('.', '-')}-${c.id.slice(0, 12)}`;
  }

  private get(key: string): Started {
    const c = this.started.get(key);
    if (!c) throw new SlipwayError('INTERNAL', `no started container for ${key}`);
    return c;
  }

  private async unhealthy(key: string, c: Started, results: ProbeResult[]): Promise<SlipwayError> {
    const logs = await this.lastLogs(c.id);
    const last = results.slice(-5);
    const why = `${results.length} probe(s) failed, last: ${last.at(-1)?.detail ?? 'none'}`;
    return new SlipwayError('HEALTHCHECK_FAILED', `${key} never became healthy: ${why}`, {
      hint:
        'make the app listen on $PORT and answer the health check ' +
        '(see `slipway apps:settings`); the last log lines are below',
      details: { probes: last, logs },
    });
  }

  private async lastLogs(containerId: string, lines = 20): Promise<string[]> {
    const out: string[] = [];
    try {
      for await (const line of this.deps.engine.logs(containerId, { tail: lines, follow: false })) out.push(line.text);
    } catch {
      // the container may already be gone
    }
    return out.slice(-lines);
  }
}
