import type { ContainerEngine, ContainerEvent, ContainerInfo } from '../engine/port.js';
import type { Router } from '../router/port.js';
import type { Store } from '../store/store.js';
import { LABELS, dynoName, type Release, ONE_OFF_PROCESSES } from '../core/types.js';
import { isSlipwayError } from '../core/errors.js';
import { sleep, withTimeout } from '../core/abort.js';
import { DynoHealer, type HealOutcome, type ListedContainers } from './dyno-healer.js';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './crash-backoff.js';

export interface SupervisorDeps {
  engine: ContainerEngine;
  router: Router;
  store: Store;
  processesOf: (release: Release) => Record<string, string | null>;
  log: (message: string) => void;
}

export interface SupervisorOptions {
  /** Every app is reconciled this often, events or not (default 10 s). */
  intervalMs?: number;
  policy?: RestartPolicy;
  /** While the engine does not answer, reconnects to its event stream with this backoff (default 250 ms → 5 s). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  clock?: () => number;
}

/** Processes that are not part of the formation: one-off runs and release commands. */
/** While a deployment of the app runs, look again this soon after it (healing never fights a rollout). */
const BUSY_RETRY_MS = 1000;
const STOP_TIMEOUT_MS = 10_000;

interface AppSlot {
  running: Promise<void> | null;
  again: boolean;
  timer?: NodeJS.Timeout;
  timerAt?: number;
}

/**
 * Keeps every app's formation running: reacts to the engine's `die` events at once (the dead
 * container's HAProxy server leaves rotation immediately, then the dyno is healed), and reconciles
 * every app at start-up, periodically and whenever the engine comes back (desired: current release +
 * formation; observed: containers by labels + routes). One pass per app at a time; a pass asked for
 * while one runs runs again right after it.
 */
export class FormationSupervisor {
  private readonly healer: DynoHealer;
  private readonly controller = new AbortController();
  private readonly apps = new Map<string, AppSlot>();
  private readonly clock: () => number;
  private periodic?: NodeJS.Timeout;
  private watching?: Promise<void>;
  private engineDown = false;

  constructor(
    private readonly deps: SupervisorDeps,
    private readonly opts: SupervisorOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.healer = new DynoHealer({ ...deps, policy: opts.policy ?? DEFAULT_RESTART_POLICY, clock: this.clock });
  }

  /** Starts watching events and reconciling (the first pass over every app runs now). */
  start(): void {
    const since = this.clock();
    this.watching = this.watchEvents(since);
    this.periodic = setInterval(() => void this.reconcileAll(), this.opts.intervalMs ?? 10_000);
    this.periodic.unref();
    void this.reconcileAll();
  }

  /** Stops watching; waits (bounded) for passes in progress. */
  async stop(): Promise<void> {
    this.controller.abort();
    clearInterval(this.periodic);
    for (const slot of this.apps.values()) clearTimeout(slot.timer);
    const inFlight = [...this.apps.values()].map((s) => s.running).filter((p): p is Promise<void> => p !== null);
    const bound = new AbortController();
    await Promise.race([
      Promise.all([...inFlight, this.watching]),
      sleep(STOP_TIMEOUT_MS, bound.signal).catch(() => undefined),
    ]);
    bound.abort();
  }

  /**
   * One pass over every app. Their containers are listed once for all of them (a listing per app made the
   * engine filter every container once per app: with 500 apps, seconds of dockerd CPU every interval);
   * an app whose deployments moved on since is listed again by its own pass.
   */
  async reconcileAll(): Promise<void> {
    const apps = this.deps.store.apps.list().map((app) => app.name);
    const listed = await this.listAll();
    await Promise.all(apps.map((app) => this.reconcileApp(app, listed)));
  }

  /** Every app's formation containers (one listing), or undefined when the engine does not answer: each pass asks. */
  private async listAll(): Promise<ListedContainers | undefined> {
    const { store, engine } = this.deps;
    const mark = store.deployments.latestId();
    const busy = new Set(store.deployments.running().map((d) => d.app));
    try {
      const containers = new Map<string, ContainerInfo[]>();
      for (const c of await engine.listContainers({ [LABELS.managed]: 'true' }, this.controller.signal)) {
        const app = c.labels[LABELS.app];
        if (!app) continue;
        const list = containers.get(app);
        if (list) list.push(c);
        else containers.set(app, [c]);
      }
      return { containers, mark, busy };
    } catch {
      return undefined;
    }
  }

  /**
   * One healing pass over an app, serialized per app. Resolves when the pass (and any asked for meanwhile) ended.
   * `listed` serves the first pass only; one asked for meanwhile lists the app's containers itself.
   */
  reconcileApp(app: string, listed?: ListedContainers): Promise<void> {
    if (this.controller.signal.aborted) return Promise.resolve();
    const slot = this.slot(app);
    if (slot.running) {
      slot.again = true;
      return slot.running;
    }
    slot.running = (async () => {
      let given = listed;
      do {
        slot.again = false;
        await this.pass(app, given);
        given = undefined;
      } while (slot.again && !this.controller.signal.aborted);
    })().finally(() => {
      slot.running = null;
    });
    return slot.running;
  }

  private async pass(app: string, listed?: ListedContainers): Promise<void> {
    let outcome: HealOutcome;
    try {
      outcome = await this.healer.heal(app, this.controller.signal, listed);
      if (this.engineDown) {
        this.engineDown = false;
        this.deps.log('supervisor: the engine answers again');
      }
    } catch (err) {
      if (this.controller.signal.aborted) return;
      const message = err instanceof Error ? err.message : String(err);
      if (isSlipwayError(err) && (err.code === 'DOCKER_UNAVAILABLE' || err.code === 'TIMEOUT')) {
        if (!this.engineDown)
          this.deps.log(`supervisor: cannot reach the engine (${message}); healing resumes when it answers`);
        this.engineDown = true;
      } else {
        this.deps.log(`supervisor: reconciling ${app} failed: ${message}`);
      }
      return;
    }
    if (outcome.kind === 'busy') this.schedule(app, BUSY_RETRY_MS);
    else if (outcome.kind === 'retry') this.schedule(app, outcome.afterMs);
    else if (outcome.kind === 'waiting') this.schedule(app, Math.max(0, outcome.atMs - this.clock()));
  }

  /** A pass of `app` in `delayMs` (an earlier one already scheduled wins). */
  private schedule(app: string, delayMs: number): void {
    const slot = this.slot(app);
    const at = this.clock() + delayMs;
    if (slot.timer && slot.timerAt !== undefined && slot.timerAt <= at) return;
    clearTimeout(slot.timer);
    slot.timerAt = at;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      slot.timerAt = undefined;
      void this.reconcileApp(app);
    }, delayMs);
    slot.timer.unref();
  }

  private slot(app: string): AppSlot {
    let slot = this.apps.get(app);
    if (!slot) {
      slot = { running: null, again: false };
      this.apps.set(app, slot);
    }
    return slot;
  }

  /**
   * `die` and `destroy` events of this home's containers. When the stream breaks (dockerd stopped or restarting),
   * reconnect with backoff once the engine answers, replaying events since the last one seen, and
   * reconcile every app: containers may have died while nobody was listening.
   */
  private async watchEvents(since: number): Promise<void> {
    const signal = this.controller.signal;
    const min = this.opts.reconnectMinMs ?? 250;
    const max = this.opts.reconnectMaxMs ?? 5000;
    let delay = min;
    let lost = false;
    while (!signal.aborted) {
      try {
        if (lost) {
          await this.deps.engine.ping(withTimeout(2000, signal));
          this.deps.log('supervisor: the engine answers again; reconciling every app');
          lost = false;
          delay = min;
          void this.reconcileAll();
        }
        for await (const event of this.deps.engine.containerEvents({
          actions: ['die', 'destroy'],
          labels: { [LABELS.managed]: 'true' },
          sinceMs: since,
          signal,
        })) {
          since = Math.max(since, event.timeMs);
          this.onEvent(event);
        }
        if (signal.aborted) return;
        throw new Error('the engine closed its event stream');
      } catch (err) {
        if (signal.aborted) return;
        if (!lost)
          this.deps.log(
            `supervisor: lost the engine's event stream ` +
              `(${err instanceof Error ? err.message : String(err)}); reconnecting`,
          );
        lost = true;
        await sleep(delay, signal).catch(() => undefined);
        delay = Math.min(delay * 2, max);
      }
    }
  }

  /**
   * A formation container died: its server leaves rotation at once (before anything else), then the
   * app is healed. A container removed (`destroy`, e.g. `docker rm -f`) is healed the same way: its
   * route points at nothing now.
   */
  private onEvent(event: ContainerEvent): void {
    const { store, router } = this.deps;
    const app = event.labels[LABELS.app];
    const process = event.labels[LABELS.process];
    if (!app || !process || ONE_OFF_PROCESSES.has(process) || event.labels[LABELS.index] === undefined) return;
    if (!store.apps.find(app)) return;
    const route = store.routes.forApp(app).find((r) => r.containerId === event.id);
    if (event.action === 'die' && route && route.state !== 'maint') {
      store.routes.setState(app, route.serverName, 'maint');
      router.setServerState(app, route.serverName, 'maint').catch((err: unknown) => {
        if (!(isSlipwayError(err) && err.code === 'NOT_FOUND'))
          this.deps.log(
            `supervisor: could not take ${route.serverName} of ${app} out of ` +
              `rotation: ${err instanceof Error ? err.message : String(err)}`,
          );
      });
      const code = event.exitCode === undefined ? '' : ` (exit code ${event.exitCode})`;
      this.deps.log(`${app}: ${dynoName(event.labels)} died${code}; ${route.serverName} is out of rotation`);
    }
    void this.reconcileApp(app);
  }
}
