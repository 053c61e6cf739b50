import {
  LABELS,
  resourceLimitsFor,
  type AppSettings,
  type DeployStrategy,
  type Deployment,
  type Formation,
  type Release,
} from '../core/types.js';
import { SlipwayError, isSlipwayError, toSlipwayError } from '../core/errors.js';
import { pollUntil } from '../core/abort.js';
import { stage, type EventSink } from '../core/events.js';
import { makeRedactor, redactDeep } from '../core/redact.js';
import { planRollout } from './plan-rollout.js';
import { planRetire } from './plan-retire.js';
import { runRollout, type RolloutPorts } from './rollout.js';
import { journalEvents } from './journal.js';
import { keepWarm, retireExpiredWarmSets, retireWarmSetsWith } from './warm-sets.js';
import { runReleasePhase } from './release-phase.js';
import type { DesiredState, Planner } from './plan-types.js';
import { planBlueGreen, planInstantRollback } from './plan-blue-green.js';
import { runningFormation } from './stopped-types.js';

/** The release phase runs with the limits of the `release` type (default: the app's) and the app's log rotation. */
function releaseLimits(settings: AppSettings): {
  limits: ReturnType<typeof resourceLimitsFor>;
  logRotation: AppSettings['logs'];
} {
  return { limits: resourceLimitsFor(settings, 'release'), logRotation: settings.logs };
}

/** Longest wait for a heal in progress before a deploy gives up with DEPLOY_IN_PROGRESS. */
const HEAL_WAIT_MS = 60_000;
/** apps:destroy lets in-flight requests finish, but not for longer than this. */
const DESTROY_DRAIN_MAX_MS = 10_000;

/** The ports a deploy drives: container engine, router, store. */
export type DeployDeps = RolloutPorts;

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
            planInstantRollback(new Set(warmReleases)),
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
        if ((strategy === 'blue-green' || warmTarget) && previous !== null) keepWarm(store, app, previous);
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
    const release = this.currentRelease(app, `app "${app}" has no release to restart`, 'deploy it first');
    const processes = this.processTypesOf(release, types);
    const restartTypes = types.length > 0 ? types : Object.keys(processes);
    return this.rolloutCurrent(
      app,
      release,
      'restart',
      `restart ${restartTypes.join(', ')}`,
      opts,
      () => ({
        ...this.desired(release, this.deps.store.apps.formation(app)),
        restartTypes,
      }),
      { failed: 'restart failed' },
    );
  }

  /**
   * Replaces these containers of the app's formation (ids; others are left alone) with new ones of the current
   * release, one at a time with the rolling steps: each new one is UP before the one it replaces drains. Where
   * the new ones run is the engine's choice (on a Swarm: a node that is not paused or drained). For nodes:drain,
   * nodes:rebalance and the move to Swarm.
   */
  async replaceContainers(app: string, ids: string[], label: string, opts: RunOptions): Promise<DeployOutcome> {
    const release = this.currentRelease(app, `app "${app}" has no release: nothing to move`, 'deploy it first');
    return this.rolloutCurrent(
      app,
      release,
      'move',
      label,
      opts,
      () => ({ ...this.desired(release, this.deps.store.apps.formation(app)), replace: [...ids] }),
      { failed: `${label} failed` },
    );
  }

  /** Ends now the blue-green warm sets of `app` that have a container among `ids` (warm-sets.ts). */
  retireWarmSetsWith(app: string, ids: string[], signal?: AbortSignal): Promise<number> {
    return retireWarmSetsWith(this.deps, app, ids, signal);
  }

  /** Changes the number of containers per process type of the current release. */
  async scale(app: string, changes: Formation, opts: RunOptions): Promise<DeployOutcome> {
    const { store } = this.deps;
    const release = this.currentRelease(
      app,
      `app "${app}" has no release to scale yet`,
      'deploy it first: `slipway deploy -a ' + app + ' DIR` or `--image IMAGE`',
    );
    this.processTypesOf(release, Object.keys(changes));
    for (const [type, count] of Object.entries(changes)) {
      if (!Number.isInteger(count) || count < 0 || count > 100)
        throw new SlipwayError('INVALID_INPUT', `${type}=${count}: counts are whole numbers from 0 to 100`);
    }
    const before = store.apps.formation(app);
    const formation = { ...before, ...changes };
    const label = `scale ${Object.entries(changes)
      .map(([t, n]) => `${t}=${n}`)
      .join(' ')}`;
    return this.rolloutCurrent(app, release, 'scale', label, opts, () => this.desired(release, formation), {
      apply: () => store.apps.setFormation(app, formation),
      undo: () => store.apps.setFormation(app, before),
      failed: 'scaling failed',
    });
  }

  /**
   * ps:stop / ps:start: under the app's deploy lock, `change.apply()` changes which types run, then the
   * current release is rolled out to that (web drains before it stops; a started type goes through
   * probe → route → UP). On failure `change.undo()` runs before the app is put back.
   */
  async converge(
    app: string,
    kind: 'stop' | 'start',
    label: string,
    change: { apply: () => void; undo: () => void },
    opts: RunOptions,
  ): Promise<DeployOutcome> {
    const release = this.currentRelease(app, `app "${app}" has no release: nothing runs`, 'deploy it first');
    return this.rolloutCurrent(
      app,
      release,
      kind,
      label,
      opts,
      () => this.desired(release, this.deps.store.apps.formation(app)),
      change,
    );
  }

  /** The release's process types; INVALID_INPUT naming the first of `types` it does not have. */
  private processTypesOf(release: Release, types: string[]): Record<string, string | null> {
    const processes = this.processesOf(release);
    const unknown = types.find((type) => !Object.hasOwn(processes, type));
    if (unknown !== undefined) {
      throw new SlipwayError('INVALID_INPUT', `release v${release.version} has no process type "${unknown}"`, {
        hint: `known types: ${Object.keys(processes).join(', ')}`,
      });
    }
    return processes;
  }

  /** The app's current release, or NO_RELEASE with this message and hint. */
  private currentRelease(app: string, message: string, hint: string): Release {
    const current = this.deps.store.apps.get(app).currentRelease;
    if (current === null) throw new SlipwayError('NO_RELEASE', message, { hint });
    return this.deps.store.releases.get(app, current);
  }

  /**
   * A rollout of the current release (restart, scale, ps:stop / ps:start) as one journaled deployment
   * of `kind`: `change.apply()` runs under the deploy lock before it; on failure `change.undo()` runs
   * and the app is put back to its current release with the same zero-downtime steps.
   */
  private async rolloutCurrent(
    app: string,
    release: Release,
    kind: Deployment['kind'],
    label: string,
    opts: RunOptions,
    desiredOf: () => DesiredState,
    change: { apply?: () => void; undo?: () => void; failed?: string } = {},
  ): Promise<DeployOutcome> {
    const { store } = this.deps;
    const started = Date.now();
    await this.waitForHeal(app, opts.signal);
    const deployment = store.deployments.start({ app, release: release.version, kind, now: new Date().toISOString() });
    const config = store.releases.config(app, release.version);
    const redact = makeRedactor(config);
    const emit = this.journaledEmit(deployment.id, opts.emit, redact);
    change.apply?.();
    try {
      await stage(emit, 'deploy', label, () =>
        this.rollout(app, deployment.id, desiredOf(), config, emit, opts.signal),
      );
      store.deployments.finish(deployment.id, 'succeeded', new Date().toISOString());
      return { app, release: release.version, deployment: deployment.id, ms: Date.now() - started };
    } catch (err) {
      change.undo?.();
      throw await this.fail(deployment.id, err, redact, () =>
        this.revert(app, deployment.id, release.version, emit, change.failed ?? `${label} failed`),
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
      const current = store.apps.find(app)?.currentRelease ?? null;
      const config = current === null ? {} : store.releases.config(app, current);
      const emit = this.journaledEmit(deployment.id, () => {}, makeRedactor(config));
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
    await runRollout(this.deps, {
      app,
      deploymentId,
      desired,
      config,
      settings: this.deps.store.apps.get(app).settings,
      emit,
      ...(signal ? { signal } : {}),
      planner,
    });
  }

  /** Retires warm sets whose window ended (warm-sets.ts): their servers leave HAProxy, their containers stop. */
  retireExpiredWarmSets(now = new Date()): Promise<number> {
    return retireExpiredWarmSets(this.deps, now);
  }

  /**
   * apps:destroy (under its `destroy` deployment): every container of the app leaves with the retire
   * steps of a deploy, journaled: servers drain together (at most 10 s), then each container is
   * unrouted, stopped and removed. Returns how many containers were removed.
   */
  async removeAllContainers(app: string, deploymentId: number): Promise<number> {
    const settings = this.deps.store.apps.get(app).settings;
    const config = this.deps.store.apps.config(app);
    const steps = await runRollout(this.deps, {
      app,
      deploymentId,
      desired: { release: 0, processes: {}, formation: {} },
      config,
      settings: { ...settings, drainTimeoutMs: Math.min(settings.drainTimeoutMs, DESTROY_DRAIN_MAX_MS) },
      emit: journalEvents(this.deps.store, deploymentId, makeRedactor(config)),
      everything: true,
      planner: (_desired, observed, warm) => planRetire([...observed, ...warm], { parked: false }),
    });
    return steps.filter((step) => step.kind === 'remove').length;
  }

  /**
   * Desired state for a release. Containers of equivalent releases (same build + config) count as its
   * own — except for a fresh deploy, which always replaces every container (a redeploy restarts).
   * Types stopped with ps:stop run no container (the stored formation keeps their counts).
   */
  private desired(release: Release, formation: Formation, useEquivalents = true): DesiredState {
    const equivalentReleases = useEquivalents ? this.deps.store.releases.equivalents(release.app, release.version) : [];
    return {
      release: release.version,
      image: this.deps.store.releases.build(release.buildId).imageRef,
      processes: this.processesOf(release),
      formation: runningFormation(formation, this.deps.store.stoppedProcesses.types(release.app)),
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
    return journalEvents(this.deps.store, deploymentId, redact, emit);
  }
}
