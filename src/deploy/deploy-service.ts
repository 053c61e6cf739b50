import type { ContainerEngine } from '../engine/port.js';
import type { Router } from '../router/port.js';
import type { Store } from '../store/store.js';
import {
  LABELS,
  resourceLimitsFor,
  type AppSettings,
  type DeployStrategy,
  type Formation,
  type Release,
} from '../core/types.js';
import { SlipwayError, isSlipwayError, toSlipwayError } from '../core/errors.js';
import { pollUntil } from '../core/abort.js';
import { stage, type EventSink } from '../core/events.js';
import { makeRedactor, redactDeep } from '../core/redact.js';
import { observeApp } from './observe.js';
import { planRollout } from './plan-rollout.js';
import { RolloutExecutor } from './rollout-executor.js';
import { runReleasePhase } from './release-phase.js';
import type { DeployStep, DesiredState, ObservedContainer } from './plan-types.js';
import { planBlueGreen, planWarmSwitch } from './plan-blue-green.js';

/** The release phase runs with the limits of the `release` type (default: the app's) and the app's log rotation. */
function releaseLimits(settings: AppSettings): {
  limits: ReturnType<typeof resourceLimitsFor>;
  logRotation: AppSettings['logs'];
} {
  return { limits: resourceLimitsFor(settings, 'release'), logRotation: settings.logs };
}

/** Longest wait for a heal in progress before a deploy gives up with DEPLOY_IN_PROGRESS. */
const HEAL_WAIT_MS = 60_000;

/** Observed = containers of the formation; warm = parked blue-green containers (for an instant rollback). */
type Planner = (desired: DesiredState, observed: ObservedContainer[], warm: ObservedContainer[]) => DeployStep[];

/** Instant rollback: the warm set of `release` takes traffic back; other process types roll. */
function instantPlanner(releases: Set<number>): Planner {
  return (desired, observed, warm) => {
    const warmSet = warm.filter((c) => releases.has(c.release) && c.process === 'web');
    const currentWeb = observed.filter((c) => c.process === 'web');
    const others: DesiredState = {
      ...desired,
      processes: Object.fromEntries(Object.entries(desired.processes).filter(([t]) => t !== 'web')),
    };
    return [
      ...planWarmSwitch(warmSet, currentWeb),
      ...planRollout(
        others,
        observed.filter((c) => c.process !== 'web'),
      ),
    ];
  };
}

export interface DeployDeps {
  engine: ContainerEngine;
  router: Router;
  store: Store;
}

export interface RunOptions {
  emit: EventSink;
  signal?: AbortSignal;
  /** Who asked (`user@host` from the CLI); recorded on releases. */
  actor?: string;
  /** Overrides the app's deploy strategy for this rollout. */
  strategy?: DeployStrategy;
}

export interface DeployOutcome {
  app: string;
  release: number;
  deployment: number;
  ms: number;
}

/** Rolls a release (or a new formation) out with zero downtime, reverting to the previous state on failure. */
export class DeployService {
  constructor(private readonly deps: DeployDeps) {}

  /** Rolls out release `version` (already created, status pending) and makes it current on success. */
  async deployRelease(
    app: string,
    version: number,
    opts: RunOptions & { kind?: 'deploy' | 'rollback'; strategy?: DeployStrategy },
  ): Promise<DeployOutcome> {
    const { store } = this.deps;
    const started = Date.now();
    const release = store.releases.get(app, version);
    const previous = store.apps.get(app).currentRelease;
    await this.waitForHeal(app, opts.signal);
    const deployment = store.deployments.start({
      app,
      release: version,
      kind: opts.kind ?? 'deploy',
      now: new Date().toISOString(),
    });
    const config = store.releases.config(app, version);
    const redact = makeRedactor(config);
    const emit = this.journaledEmit(deployment.id, opts.emit, redact);
    try {
      await stage(emit, 'deploy', `deploy v${version} of ${app}`, async () => {
        const build = store.releases.build(release.buildId);
        const releaseCommand = build.procfile?.['release'];
        if (releaseCommand) {
          await stage(emit, 'release', 'release phase', () =>
            runReleasePhase(this.deps.engine, {
              app,
              release: version,
              image: build.imageRef,
              command: releaseCommand,
              config,
              emit,
              redact,
              ...releaseLimits(store.apps.get(app).settings),
              ...(opts.signal ? { signal: opts.signal } : {}),
            }),
          );
        }
        const formation = this.formationFor(app, release);
        const desired = this.desired(release, formation, opts.kind === 'rollback');
        const strategy = opts.strategy ?? store.apps.get(app).settings.strategy;
        const warmReleases = store.warmSets
          .forApp(app)
          .map((w) => w.release)
          .filter((r) => r === version || desired.equivalentReleases?.includes(r));
        const warmTarget = warmReleases.length > 0;
        if (warmTarget) {
          emit({
            type: 'info',
            text: `v${warmReleases.join(', v')} is warm: switching back without starting containers`,
            at: new Date().toISOString(),
          });
          await this.rollout(
            app,
            deployment.id,
            desired,
            config,
            emit,
            opts.signal,
            instantPlanner(new Set(warmReleases)),
          );
          for (const r of warmReleases) store.warmSets.remove(app, r);
        } else {
          await this.rollout(
            app,
            deployment.id,
            desired,
            config,
            emit,
            opts.signal,
            strategy === 'blue-green' ? planBlueGreen : planRollout,
          );
        }
        if ((strategy === 'blue-green' || warmTarget) && previous !== null) this.keepWarm(app, previous);
        store.apps.setFormation(app, formation);
      });
      store.releases.setStatus(app, version, 'succeeded');
      store.releases.setDeployMs(app, version, Date.now() - started);
      if (opts.kind === 'rollback' && previous !== null) store.releases.setStatus(app, previous, 'rolled back');
      store.apps.setCurrentRelease(app, version);
      store.deployments.finish(deployment.id, 'succeeded', new Date().toISOString());
      return { app, release: version, deployment: deployment.id, ms: Date.now() - started };
    } catch (err) {
      const error = await this.fail(
        deployment.id,
        err,
        redact,
        () => this.revert(app, deployment.id, previous, emit, 'the new release failed'),
        { deployment: deployment.id },
      );
      store.releases.setStatus(app, version, 'failed', error.message);
      throw error;
    }
  }

  /** Replaces every container of the given process types (all when empty) with zero downtime. */
  async restart(app: string, types: string[], opts: RunOptions): Promise<DeployOutcome> {
    const { store } = this.deps;
    const started = Date.now();
    const current = store.apps.get(app).currentRelease;
    if (current === null)
      throw new SlipwayError('NO_RELEASE', `app "${app}" has no release to restart`, { hint: 'deploy it first' });
    const release = store.releases.get(app, current);
    const processes = this.processesOf(release);
    for (const type of types) {
      if (!Object.hasOwn(processes, type))
        throw new SlipwayError('INVALID_INPUT', `release v${current} has no process type "${type}"`, {
          hint: `known types: ${Object.keys(processes).join(', ')}`,
        });
    }
    const restartTypes = types.length > 0 ? types : Object.keys(processes);
    await this.waitForHeal(app, opts.signal);
    const deployment = store.deployments.start({
      app,
      release: current,
      kind: 'restart',
      now: new Date().toISOString(),
    });
    const config = store.releases.config(app, current);
    const redact = makeRedactor(config);
    const emit = this.journaledEmit(deployment.id, opts.emit, redact);
    try {
      await stage(emit, 'deploy', `restart ${restartTypes.join(', ')}`, () =>
        this.rollout(
          app,
          deployment.id,
          { ...this.desired(release, store.apps.formation(app)), restartTypes },
          config,
          emit,
          opts.signal,
        ),
      );
      store.deployments.finish(deployment.id, 'succeeded', new Date().toISOString());
      return { app, release: current, deployment: deployment.id, ms: Date.now() - started };
    } catch (err) {
      throw await this.fail(deployment.id, err, redact, () =>
        this.revert(app, deployment.id, current, emit, 'restart failed'),
      );
    }
  }

  /** Changes the number of containers per process type of the current release. */
  async scale(app: string, changes: Formation, opts: RunOptions): Promise<DeployOutcome> {
    const { store } = this.deps;
    const started = Date.now();
    const current = store.apps.get(app).currentRelease;
    if (current === null) {
      throw new SlipwayError('NO_RELEASE', `app "${app}" has no release to scale yet`, {
        hint: 'deploy it first: `slipway deploy -a ' + app + ' DIR` or `--image IMAGE`',
      });
    }
    const release = store.releases.get(app, current);
    const processes = this.processesOf(release);
    for (const [type, count] of Object.entries(changes)) {
      if (!Object.hasOwn(processes, type)) {
        throw new SlipwayError('INVALID_INPUT', `release v${current} has no process type "${type}"`, {
          hint: `known types: ${Object.keys(processes).join(', ')}`,
        });
      }
      if (!Number.isInteger(count) || count < 0 || count > 100)
        throw new SlipwayError('INVALID_INPUT', `${type}=${count}: counts are whole numbers from 0 to 100`);
    }
    const before = store.apps.formation(app);
    const formation = { ...before, ...changes };
    await this.waitForHeal(app, opts.signal);
    const deployment = store.deployments.start({ app, release: current, kind: 'scale', now: new Date().toISOString() });
    const config = store.releases.config(app, current);
    const redact = makeRedactor(config);
    const emit = this.journaledEmit(deployment.id, opts.emit, redact);
    store.apps.setFormation(app, formation);
    try {
      await stage(
        emit,
        'deploy',
        `scale ${Object.entries(changes)
          .map(([t, n]) => `${t}=${n}`)
          .join(' ')}`,
        () => this.rollout(app, deployment.id, this.desired(release, formation), config, emit, opts.signal),
      );
      store.deployments.finish(deployment.id, 'succeeded', new Date().toISOString());
      return { app, release: current, deployment: deployment.id, ms: Date.now() - started };
    } catch (err) {
      store.apps.setFormation(app, before);
      throw await this.fail(deployment.id, err, redact, () =>
        this.revert(app, deployment.id, current, emit, 'scaling failed'),
      );
    }
  }

  /**
   * A heal (the supervisor restarting a crashed dyno) is short: a deploy asked for meanwhile waits
   * for it instead of failing with DEPLOY_IN_PROGRESS. Any other running deployment still refuses.
   */
  private async waitForHeal(app: string, signal?: AbortSignal): Promise<void> {
    const healing = () => this.deps.store.deployments.running().some((d) => d.app === app && d.kind === 'heal');
    if (!healing()) return;
    await pollUntil(async () => (healing() ? undefined : true), {
      timeoutMs: HEAL_WAIT_MS,
      intervalMs: 100,
      what: `the restart of a crashed container of ${app} to finish`,
      ...(signal ? { signal } : {}),
    }).catch((err: unknown) => {
      if (!(isSlipwayError(err) && err.code === 'TIMEOUT')) throw err;
    });
  }

  /**
   * After a restart: every deployment left `running` was interrupted. Routes pointing at containers
   * that are gone are dropped, drained servers of the current release go back to ready, and the app
   * is reconciled to its current release with the usual zero-downtime steps.
   */
  async recoverInterrupted(log: (message: string) => void): Promise<void> {
    const { store, engine, router } = this.deps;
    for (const deployment of store.deployments.running()) {
      const app = deployment.app;
      log(`recovering interrupted deployment #${deployment.id} of ${app}`);
      const emit = this.journaledEmit(
        deployment.id,
        () => {},
        (s) => s,
      );
      const current = store.apps.find(app)?.currentRelease ?? null;
      const containers = new Map((await engine.listContainers({ [LABELS.app]: app })).map((c) => [c.id, c]));
      for (const route of store.routes.forApp(app)) {
        const container = containers.get(route.containerId);
        if (!container || container.state !== 'running') {
          await router.removeServer(app, route.serverName, { timeoutMs: 5000 }).catch(() => undefined);
          store.routes.remove(app, route.serverName);
        } else if (route.state !== 'ready' && container.labels[LABELS.release] === `v${current}`) {
          store.routes.setState(app, route.serverName, 'ready');
          await router.setServerState(app, route.serverName, 'ready').catch(() => undefined);
        }
      }
      await this.revert(app, deployment.id, current, emit, 'interrupted by a server restart');
      if (deployment.kind === 'deploy' && deployment.release !== current) {
        store.releases.setStatus(app, deployment.release, 'failed', 'interrupted by a server restart');
      }
      store.deployments.finish(deployment.id, 'failed', new Date().toISOString(), {
        code: 'ABORTED',
        message: 'interrupted by a server restart; the app was returned to its current release',
      });
    }
  }

  /**
   * A rollout failed: put the app back (`revert`), record the error — secrets redacted — on the
   * deployment, and return the error to throw (with `extraDetails` merged into its details).
   */
  private async fail(
    deploymentId: number,
    err: unknown,
    redact: (s: string) => string,
    revert: () => Promise<void>,
    extraDetails: Record<string, unknown> = {},
  ): Promise<SlipwayError> {
    const error = redactDeep(toSlipwayError(err).toJSON(), redact);
    await revert();
    this.deps.store.deployments.finish(deploymentId, 'failed', new Date().toISOString(), error);
    const details = { ...error.details, ...extraDetails };
    return new SlipwayError(error.code, error.message, {
      ...(error.hint ? { hint: error.hint } : {}),
      ...(Object.keys(details).length > 0 || error.details ? { details } : {}),
    });
  }

  /** Returns the app to `version` (or to nothing when there is none) with the same zero-downtime steps. */
  private async revert(
    app: string,
    deploymentId: number,
    version: number | null,
    emit: EventSink,
    why: string,
  ): Promise<void> {
    const { store } = this.deps;
    try {
      await stage(
        emit,
        'revert',
        version === null ? `${why}: removing its containers` : `${why}: restoring v${version}`,
        async () => {
          if (version === null) {
            await this.rollout(app, deploymentId, { release: 0, processes: {}, formation: {} }, {}, emit);
            return;
          }
          const release = store.releases.get(app, version);
          await this.rollout(
            app,
            deploymentId,
            this.desired(release, store.apps.formation(app)),
            store.releases.config(app, version),
            emit,
          );
        },
      );
    } catch {
      // The failure that caused the revert is what the user needs; the revert's own failure is in the deploy log.
    }
  }

  private async rollout(
    app: string,
    deploymentId: number,
    desired: DesiredState,
    config: Record<string, string>,
    emit: EventSink,
    signal?: AbortSignal,
    planner: Planner = planRollout,
  ): Promise<void> {
    const { store, engine, router } = this.deps;
    const appRow = store.apps.get(app);
    const image =
      desired.release === 0 ? '' : store.releases.build(store.releases.get(app, desired.release).buildId).imageRef;
    // Warm (blue-green) sets are not part of the formation: plans never touch them.
    const warm = new Set(store.warmSets.forApp(app).map((w) => w.release));
    const all = await observeApp(engine, store.routes, app, signal);
    const observed = all.filter((c) => !warm.has(c.release));
    const steps = planner(
      desired,
      observed,
      all.filter((c) => warm.has(c.release)),
    );
    const executor = new RolloutExecutor(
      { engine, router, store, emit, ...(signal ? { signal } : {}) },
      { app, deploymentId, desired, image, config, settings: appRow.settings },
    );
    await executor.execute(steps);
  }

  /** The previous release's parked set stays warm for the app's window; older warm sets retire now. */
  private keepWarm(app: string, release: number): void {
    const { store } = this.deps;
    const now = Date.now();
    // The parked containers carry the label of the release they were started for, which may be an
    // equivalent of `release` (after a rollback): every one of those labels is part of the warm set.
    const labels = new Set([release, ...store.releases.equivalents(app, release)]);
    for (const older of store.warmSets.forApp(app))
      if (!labels.has(older.release)) store.warmSets.put({ ...older, expiresAt: new Date(now).toISOString() });
    const expiresAt = new Date(now + store.apps.get(app).settings.warmWindowMs).toISOString();
    for (const label of labels) store.warmSets.put({ app, release: label, expiresAt });
  }

  /** Retires warm sets whose window ended: their servers leave HAProxy, their containers stop. */
  async retireExpiredWarmSets(now = new Date()): Promise<number> {
    const { store, engine, router } = this.deps;
    let retired = 0;
    for (const set of store.warmSets.expired(now.toISOString())) {
      if (store.deployments.running().some((d) => d.app === set.app)) continue;
      const deployment = store.deployments.start({
        app: set.app,
        release: set.release,
        kind: 'retire',
        now: now.toISOString(),
      });
      try {
        const containers = (await observeApp(engine, store.routes, set.app)).filter((c) => c.release === set.release);
        const steps: DeployStep[] = containers.flatMap((c): DeployStep[] => [
          ...(c.serverName ? [{ kind: 'route-remove' as const, containerId: c.id, serverName: c.serverName }] : []),
          ...(c.state === 'running' ? [{ kind: 'stop' as const, containerId: c.id }] : []),
          { kind: 'remove' as const, containerId: c.id },
        ]);
        const app = store.apps.get(set.app);
        const executor = new RolloutExecutor(
          { engine, router, store, emit: (e) => store.deployments.addEvent(deployment.id, e) },
          {
            app: set.app,
            deploymentId: deployment.id,
            desired: { release: set.release, processes: {}, formation: {} },
            image: '',
            config: {},
            settings: app.settings,
          },
        );
        await executor.execute(steps);
        store.warmSets.remove(set.app, set.release);
        store.deployments.finish(deployment.id, 'succeeded', new Date().toISOString());
        retired += 1;
      } catch (err) {
        store.deployments.finish(deployment.id, 'failed', new Date().toISOString(), toSlipwayError(err).toJSON());
      }
    }
    return retired;
  }

  /**
   * Desired state for a release. Containers of equivalent releases (same build + config) count as its
   * own — except for a fresh deploy, which always replaces every container (a redeploy restarts).
   */
  private desired(release: Release, formation: Formation, useEquivalents = true): DesiredState {
    const equivalentReleases = useEquivalents ? this.deps.store.releases.equivalents(release.app, release.version) : [];
    return {
      release: release.version,
      processes: this.processesOf(release),
      formation,
      ...(equivalentReleases.length ? { equivalentReleases } : {}),
    };
  }

  /** Process types of a release: its Procfile without `release`, or `web` = the image's CMD. */
  processesOf(release: Release): Record<string, string | null> {
    const build = this.deps.store.releases.build(release.buildId);
    if (!build.procfile) return { web: null };
    const entries = Object.entries(build.procfile).filter(([type]) => type !== 'release');
    return Object.fromEntries(entries);
  }

  /** Current formation, with web = 1 when a release brings a web process the formation does not list. */
  private formationFor(app: string, release: Release): Formation {
    const formation = { ...this.deps.store.apps.formation(app) };
    const processes = this.processesOf(release);
    if (Object.hasOwn(processes, 'web') && !Object.hasOwn(formation, 'web')) formation['web'] = 1;
    for (const type of Object.keys(processes)) if (!Object.hasOwn(formation, type)) formation[type] = 0;
    return formation;
  }

  private journaledEmit(deploymentId: number, emit: EventSink, redact: (s: string) => string): EventSink {
    return (event) => {
      const safe = redactDeep(event, redact);
      this.deps.store.deployments.addEvent(deploymentId, safe);
      emit(safe);
    };
  }
}
