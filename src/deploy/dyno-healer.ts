import type { ContainerEngine, ContainerInfo } from '../engine/port.js';
import type { Router } from '../router/port.js';
import type { Store } from '../store/store.js';
import { restartModeFor, type Release } from '../core/types.js';
import { SlipwayError, isSlipwayError, toSlipwayError } from '../core/errors.js';
import type { EventSink, SlipwayEvent } from '../core/events.js';
import { makeRedactor, redactDeep } from '../core/redact.js';
import { observeApp, observedFrom } from './observe.js';
import { downDynos, holdsAfterExit, planHeal, type HeldDyno, type RestartModeOf } from './plan-heal.js';
import { runningFormation } from './stopped-types.js';
import { heldNote } from './dyno-status.js';
import { RolloutExecutor } from './rollout-executor.js';
import {
  describeCrashes,
  isCrashLoop,
  recordCrash,
  recordRestart,
  type Crash,
  type DynoCrashState,
  type RestartPolicy,
} from './crash-backoff.js';
import type { DeployStep, DesiredState, ObservedContainer } from './plan-types.js';

export interface HealerDeps {
  engine: ContainerEngine;
  router: Router;
  store: Store;
  /** Process types of a release (its Procfile without `release`, or `web` = the image's CMD). */
  processesOf: (release: Release) => Record<string, string | null>;
  policy: RestartPolicy;
  clock: () => number;
  log: (message: string) => void;
}

/** Every app's formation containers from one listing, and what was going on when it began. */
export interface ListedContainers {
  /** By app (label slipway.app). */
  containers: Map<string, ContainerInfo[]>;
  /** DeploymentRepository.latestId() just before the listing. */
  mark: number;
  /** Apps with a deployment running just before the listing. */
  busy: Set<string>;
}

/** What one healing pass found: when to look again. */
export type HealOutcome =
  | { kind: 'idle' }
  /** A deployment of the app is running: healing waits until it ends (it never fights a rollout). */
  | { kind: 'busy' }
  /** Dynos wait for their restart backoff until `atMs`. */
  | { kind: 'waiting'; atMs: number }
  /** A restart failed (or was cut short): look again after `afterMs`. */
  | { kind: 'retry'; afterMs: number };

/**
 * Failures of the engine or the proxy themselves: the dyno is not to blame, the pass is retried.
 * Anything else that stops a restart (the new container exits, never becomes healthy, its image is
 * gone) counts as one more crash of the dyno, so its backoff grows instead of retrying every second.
 */
const INFRASTRUCTURE_FAILURES = new Set(['DOCKER_UNAVAILABLE', 'HAPROXY_UNAVAILABLE', 'TIMEOUT', 'ABORTED']);
const INFRASTRUCTURE_RETRY_MS = 5000;

/**
 * One healing pass over one app, level-triggered: observes its containers, counts new crashes (once
 * per container), and — holding the app's deploy lock as a 'heal' deployment, journaled like any
 * other — drops routes to dead containers and restarts the dynos whose backoff allows it.
 */
export class DynoHealer {
  private readonly reportedHeld = new Map<string, Set<string>>();

  constructor(private readonly deps: HealerDeps) {}

  /**
   * `listed`: the app's containers from one listing of every app's (FormationSupervisor.reconcileAll), used
   * only when no deployment of the app ran or started since that listing began (`mark`, see
   * DeploymentRepository.latestId; every change to a formation's containers is made under a deployment);
   * otherwise the app's containers are listed again.
   */
  async heal(app: string, signal?: AbortSignal, listed?: ListedContainers): Promise<HealOutcome> {
    const { store } = this.deps;
    const row = store.apps.find(app);
    if (!row || row.currentRelease === null) return { kind: 'idle' };
    if (store.deployments.running().some((d) => d.app === app)) return { kind: 'busy' };
    const problems = this.deps.router.routeProblems(app);
    // not routable until its settings are fixed (reported by the router)
    if (problems.length > 0) return { kind: 'idle' };
    const release = store.releases.get(app, row.currentRelease);
    const desired: DesiredState = {
      release: release.version,
      image: store.releases.build(release.buildId).imageRef,
      processes: this.deps.processesOf(release),
      // A type stopped with ps:stop is not part of what should run: never restarted.
      formation: runningFormation(store.apps.formation(app), store.stoppedProcesses.types(app)),
    };
    const modeOf: RestartModeOf = (type) => restartModeFor(row.settings, type);
    const warm = new Set(store.warmSets.forApp(app).map((w) => w.release));
    const current =
      listed && !listed.busy.has(app) && !store.deployments.startedSince(app, listed.mark)
        ? (listed.containers.get(app) ?? [])
        : undefined;
    const all = current
      ? observedFrom(current, store.routes, app)
      : await observeApp(this.deps.engine, store.routes, app, signal);
    this.expireBrokenWarmSets(
      app,
      all.filter((c) => warm.has(c.release)),
    );
    const observed = all.filter((c) => !warm.has(c.release));
    const now = this.deps.clock();
    const { states, fresh } = this.countCrashes(app, desired, observed, now, modeOf);
    const plan = planHeal(
      desired,
      observed,
      states,
      now,
      { routes: store.routes.forApp(app), containerIds: new Set(all.map((c) => c.id)) },
      modeOf,
    );
    const newlyHeld = this.newlyHeld(app, plan.held);
    // Nothing to do and nothing new to tell (a new crash is always journaled, even with no step to run).
    if (plan.steps.length === 0 && fresh.length === 0 && newlyHeld.length === 0)
      return this.waitingOutcome(plan.waiting, states);

    let deploymentId: number;
    try {
      deploymentId = store.deployments.start({
        app,
        release: desired.release,
        kind: 'heal',
        now: new Date(now).toISOString(),
      }).id;
    } catch (err) {
      if (isSlipwayError(err) && err.code === 'DEPLOY_IN_PROGRESS') return { kind: 'busy' };
      throw err;
    }
    const config = store.releases.config(app, desired.release);
    const emit = this.journal(deploymentId, makeRedactor(config));
    for (const dyno of fresh) emit(info(`${describeCrashes(states.get(dyno)!, now, this.deps.policy)}`));
    for (const held of newlyHeld) emit(info(heldNote(held)));
    for (const dyno of plan.restart) emit(info(`restarting ${dyno} (v${desired.release})`));
    const executor = new RolloutExecutor(
      { engine: this.deps.engine, router: this.deps.router, store, emit, ...(signal ? { signal } : {}) },
      {
        app,
        deploymentId,
        desired,
        config,
        settings: row.settings,
      },
    );
    const started = this.deps.clock();
    try {
      await executor.execute(plan.steps);
    } catch (err) {
      if (signal?.aborted) return this.interrupted(app, deploymentId, plan.restart, err);
      return this.failed(app, deploymentId, desired.release, err, states);
    }
    for (const dyno of plan.restart) this.save(recordRestart(states.get(dyno) ?? blank(app, dyno, desired.release)));
    if (plan.restart.length > 0)
      this.deps.log(
        `${app}: ${plan.restart.join(', ')} restarted in ` +
          `${((this.deps.clock() - started) / 1000).toFixed(1)} s (heal #${deploymentId})`,
      );
    const loops = plan.waiting
      .map((d) => states.get(d))
      .filter((s): s is DynoCrashState => !!s && isCrashLoop(s, now, this.deps.policy));
    if (loops.length > 0) {
      const message = loops.map((s) => describeCrashes(s, this.deps.clock(), this.deps.policy)).join('; ');
      this.deps.log(`${app}: ${message}`);
      store.deployments.finish(deploymentId, 'failed', new Date().toISOString(), crashLoopError(app, message).toJSON());
    } else {
      store.deployments.finish(deploymentId, 'succeeded', new Date().toISOString());
    }
    return plan.waiting.length > 0 ? this.waitingOutcome(plan.waiting, states) : { kind: 'idle' };
  }

  /**
   * Dead containers in slots nobody serves are crashes (each container counted once); an exit its restart mode
   * accepts (code 0 under on-failure) is not, and a crash its mode does not restart (never) waits for no restart.
   */
  private countCrashes(
    app: string,
    desired: DesiredState,
    observed: ObservedContainer[],
    now: number,
    modeOf: RestartModeOf,
  ) {
    const current = this.deps.store.dynoCrashes.forApp(app).filter((s) => s.release === desired.release);
    const states = new Map(current.map((s) => [s.dyno, s]));
    const fresh: string[] = [];
    for (const down of downDynos(desired, observed)) {
      if (!down.dead) continue;
      const mode = modeOf(down.process);
      const held = holdsAfterExit(mode, down.dead);
      if (held && mode === 'on-failure') continue; // exited with code 0: done, not crashed
      const before = states.get(down.dyno);
      const after = recordCrash(before, app, down.dyno, crashOf(down.dead, desired.release, now), this.deps.policy);
      if (after === before) continue;
      if (held) delete after.nextRestartAt;
      states.set(down.dyno, after);
      this.save(after);
      fresh.push(down.dyno);
      this.deps.log(`${app}: ${describeCrashes(after, now, this.deps.policy)}`);
    }
    const dynos = Object.entries(desired.formation).flatMap(([type, n]) =>
      Array.from({ length: n }, (_, i) => `${type}.${i + 1}`),
    );
    this.deps.store.dynoCrashes.removeExcept(app, dynos);
    return { states, fresh };
  }

  /**
   * The heal was aborted (the server is stopping): no dyno failed, so no crash is counted. What it started is left
   * running (see RolloutExecutor); the next pass — at the latest the start-up reconcile — adopts a container that
   * serves its slot and replaces one that does not, with the usual steps.
   */
  private interrupted(app: string, deploymentId: number, restart: string[], err: unknown): HealOutcome {
    const error = toSlipwayError(err);
    const message = `heal #${deploymentId} interrupted (${error.message}); the next reconcile takes over`;
    this.deps.store.deployments.finish(deploymentId, 'failed', new Date().toISOString(), {
      ...error.toJSON(),
      code: 'ABORTED',
      message,
    });
    this.deps.log(`${app}: ${restart.length > 0 ? `restarting ${restart.join(', ')}: ` : ''}${message}`);
    return { kind: 'idle' };
  }

  /** The restart failed: if the new container itself failed, that is one more crash of the dyno (backoff grows). */
  private failed(
    app: string,
    deploymentId: number,
    release: number,
    err: unknown,
    states: Map<string, DynoCrashState>,
  ): HealOutcome {
    const { store } = this.deps;
    const error = toSlipwayError(err);
    store.deployments.finish(deploymentId, 'failed', new Date().toISOString(), error.toJSON());
    const failedStart = this.failedStart(deploymentId);
    if (failedStart && !INFRASTRUCTURE_FAILURES.has(error.code)) {
      const exitCode = typeof error.details?.['exitCode'] === 'number' ? error.details['exitCode'] : undefined;
      const state = recordCrash(
        states.get(failedStart.dyno),
        app,
        failedStart.dyno,
        {
          containerId: failedStart.containerId,
          release,
          atMs: this.deps.clock(),
          ...(exitCode === undefined ? {} : { exitCode }),
        },
        this.deps.policy,
      );
      this.save(state);
      this.deps.log(
        `${app}: restarting ${failedStart.dyno} failed: ${error.message}; ` +
          `${describeCrashes(state, this.deps.clock(), this.deps.policy)}`,
      );
      // Other dynos of the plan may still be down: the next pass restarts them (this one waits its backoff).
      return { kind: 'retry', afterMs: 0 };
    }
    this.deps.log(`${app}: heal #${deploymentId} failed: ${error.message}`);
    return { kind: 'retry', afterMs: INFRASTRUCTURE_RETRY_MS };
  }

  /** The dyno and container of the last container the journal started, when its steps did not all pass. */
  private failedStart(deploymentId: number): { dyno: string; containerId: string } | undefined {
    const steps = this.deps.store.deployments.steps<DeployStep>(deploymentId);
    const failedAt = steps.findIndex((s) => s.status === 'failed');
    if (failedAt < 0) return undefined;
    const start = steps
      .slice(0, failedAt + 1)
      .reverse()
      .find((s) => s.step.kind === 'start');
    if (!start || start.step.kind !== 'start') return undefined;
    const result = start.result as { containerId?: unknown } | undefined;
    return {
      dyno: `${start.step.process}.${start.step.index}`,
      containerId: typeof result?.containerId === 'string' ? result.containerId : `failed-start-${deploymentId}`,
    };
  }

  /** A warm (blue-green) set with a dead container cannot take traffic back: it retires instead. */
  private expireBrokenWarmSets(app: string, warmContainers: ObservedContainer[]): void {
    const broken = new Set(warmContainers.filter((c) => c.state !== 'running').map((c) => c.release));
    for (const set of this.deps.store.warmSets.forApp(app)) {
      if (!broken.has(set.release) || Date.parse(set.expiresAt) <= this.deps.clock()) continue;
      this.deps.store.warmSets.put({ ...set, expiresAt: new Date(this.deps.clock()).toISOString() });
      this.deps.log(
        `${app}: a container of the warm set v${set.release} died; the set retires (rollbacks to it roll out normally)`,
      );
    }
  }

  /** Held dynos not reported before (each container once; the memory is only for not repeating the news). */
  private newlyHeld(app: string, held: HeldDyno[]): HeldDyno[] {
    const seen = this.reportedHeld.get(app) ?? new Set<string>();
    const fresh = held.filter((h) => !seen.has(h.containerId));
    this.reportedHeld.set(app, new Set(held.map((h) => h.containerId)));
    for (const h of fresh) this.deps.log(`${app}: ${heldNote(h)}`);
    return fresh;
  }

  private waitingOutcome(waiting: string[], states: Map<string, DynoCrashState>): HealOutcome {
    const times = waiting.map((d) => states.get(d)?.nextRestartAt).filter((t): t is number => t !== undefined);
    return times.length > 0 ? { kind: 'waiting', atMs: Math.min(...times) } : { kind: 'idle' };
  }

  private save(state: DynoCrashState): void {
    this.deps.store.dynoCrashes.put(state);
  }

  private journal(deploymentId: number, redact: (s: string) => string): EventSink {
    return (event: SlipwayEvent) => this.deps.store.deployments.addEvent(deploymentId, redactDeep(event, redact));
  }
}

function crashOf(dead: ObservedContainer, release: number, now: number): Crash {
  const finished = dead.finishedAt ? Date.parse(dead.finishedAt) : NaN;
  const startedAt = dead.startedAt ? Date.parse(dead.startedAt) : NaN;
  const atMs = Number.isFinite(finished) ? Math.min(finished, now) : now;
  return {
    containerId: dead.id,
    release,
    atMs,
    ...(dead.exitCode === undefined ? {} : { exitCode: dead.exitCode }),
    ...(Number.isFinite(startedAt) && Number.isFinite(finished) ? { ranMs: Math.max(0, finished - startedAt) } : {}),
  };
}

function blank(app: string, dyno: string, release: number): DynoCrashState {
  return { app, dyno, release, restarts: 0, crashes: [] };
}

function info(text: string): SlipwayEvent {
  return { type: 'info', text, at: new Date().toISOString() };
}

function crashLoopError(app: string, message: string): SlipwayError {
  return new SlipwayError('CONTAINER_FAILED', message, {
    hint:
      `the app keeps exiting: \`slipway logs -a ${app}\` shows ` +
      'why; deploy a fix (a new release restarts with a clean slate)',
  });
}
