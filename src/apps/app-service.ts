import type { ContainerEngine } from '../engine/port.js';
import type { Router } from '../router/port.js';
import type { Store } from '../store/store.js';
import {
  dynoName,
  resourceLimitsFor,
  type App,
  type AppSettings,
  type Build,
  type ResourceLimits,
} from '../core/types.js';
import { SlipwayError, toSlipwayError } from '../core/errors.js';
import { validateAppName } from '../core/names.js';
import { applyConfigChange } from '../config/config-vars.js';
import { LABELS } from '../core/types.js';
import { applySettingChanges, settingsProblems } from '../config/app-settings.js';
import type { DeployOutcome, DeployService, RunOptions } from '../deploy/deploy-service.js';
import type { BuildService, SourceBuildOptions } from '../image-build/build-service.js';
import { pruneAppImages } from '../image-build/image-retention.js';

export interface SettingsUpdate {
  settings: AppSettings;
  /** Running containers whose limits were changed in place. */
  resized: { dyno: string; limits: ResourceLimits }[];
  /** Running containers the change could not reach now (they get it when they restart). */
  notApplied: { dyno: string; reason: string }[];
}

export interface AppServiceDeps {
  engine: ContainerEngine;
  router: Router;
  store: Store;
  deploys: DeployService;
  builds: BuildService;
  /** Re-applies every app's backend/hosts to the router (after an app is created or destroyed). */
  syncRouter: () => Promise<void>;
}

/** Apps, their config and their deploys: the use cases the API exposes. */
export class AppService {
  constructor(private readonly deps: AppServiceDeps) {}

  list(): App[] {
    return this.deps.store.apps.list();
  }

  get(name: string): App {
    return this.deps.store.apps.get(validateAppName(name));
  }

  async create(name: string): Promise<App> {
    const app = this.deps.store.apps.create(validateAppName(name), new Date().toISOString());
    try {
      await this.deps.syncRouter();
    } catch (err) {
      this.deps.store.apps.delete(app.name);
      throw err;
    }
    return app;
  }

  async destroy(
    name: string,
    confirm: string | undefined,
  ): Promise<{ removedContainers: number; removedImages: number }> {
    const app = this.get(name);
    if (confirm !== app.name) {
      throw new SlipwayError(
        'CONFIRMATION_REQUIRED',
        `destroying "${app.name}" removes its containers, releases and config`,
        {
          hint: `repeat the app name to confirm: slipway apps:destroy ${app.name} --confirm ${app.name}`,
        },
      );
    }
    // The app's deploy lock for the whole destroy: the supervisor never restarts a container being removed.
    const lock = this.deps.store.deployments.start({
      app: app.name,
      release: app.currentRelease ?? 0,
      kind: 'destroy',
      now: new Date().toISOString(),
    });
    try {
      return await this.removeEverything(app);
    } catch (err) {
      this.deps.store.deployments.finish(lock.id, 'failed', new Date().toISOString(), toSlipwayError(err).toJSON());
      throw err;
    }
  }

  /** Drains and removes the app's servers, containers and built images, then the app (its lock row goes with it). */
  private async removeEverything(app: App): Promise<{ removedContainers: number; removedImages: number }> {
    const { router, engine, store } = this.deps;
    // In-flight requests finish first (bounded), then the servers go.
    const routes = store.routes.forApp(app.name);
    await Promise.all(routes.map((r) => router.setServerState(app.name, r.serverName, 'drain').catch(() => undefined)));
    await Promise.all(
      routes.map((r) =>
        router
          .waitSessionsZero(app.name, r.serverName, { timeoutMs: Math.min(app.settings.drainTimeoutMs, 10_000) })
          .catch(() => false),
      ),
    );
    for (const route of routes) {
      await router.removeServer(app.name, route.serverName, { timeoutMs: 5000 }).catch(() => undefined);
      store.routes.remove(app.name, route.serverName);
    }
    const containers = await engine.listContainers({ [LABELS.app]: app.name, [LABELS.managed]: 'true' });
    for (const c of containers) {
      await engine.stopContainer(c.id, app.settings.stopGraceSec).catch(() => undefined);
      await engine.removeContainer(c.id, { force: true });
    }
    // Images Slipway built for this app go too (images deployed with --image belong to the user).
    const images = store.releases.imageRefs(app.name).filter((ref) => ref.startsWith(`slipway/${app.name}:`));
    let removedImages = 0;
    for (const ref of images) {
      await engine.removeImage?.(ref, { force: true }).then(
        () => removedImages++,
        () => undefined,
      );
    }
    store.apps.delete(app.name);
    await this.deps.syncRouter();
    return { removedContainers: containers.length, removedImages };
  }

  async deployImage(name: string, image: string, opts: RunOptions): Promise<DeployOutcome> {
    const app = this.get(name);
    this.assertNotDeploying(app.name);
    const build = await this.deps.builds.fromImage(app.name, image, opts.emit, opts.signal);
    return this.release(app.name, build, `Deploy image ${image}`, opts);
  }

  /** Deploys a recorded build (`slipway build`, then `deploy --build ID`). */
  async deployBuild(name: string, buildRecordId: string, opts: RunOptions): Promise<DeployOutcome> {
    const app = this.get(name);
    this.assertNotDeploying(app.name);
    const record = this.deps.store.buildRecords.get(app.name, buildRecordId);
    if (record.status !== 'succeeded' || record.buildId === null) {
      throw new SlipwayError(
        'INVALID_INPUT',
        `build ${record.id} ${record.status === 'running' ? 'is still running' : 'failed'}; ` +
          'only a successful build can be deployed',
        { hint: `list builds with \`slipway builds -a ${app.name}\`` },
      );
    }
    if (record.prunedAt) {
      throw new SlipwayError('IMAGE_NOT_FOUND', `the image of build ${record.id} was pruned (image retention)`, {
        hint: 'build the source again with `slipway build` or `slipway deploy DIR`',
      });
    }
    return this.release(app.name, this.deps.store.releases.build(record.buildId), `Deploy build ${record.id}`, opts);
  }

  async deploySource(name: string, tarFile: string, opts: SourceBuildOptions): Promise<DeployOutcome> {
    const app = this.get(name);
    this.assertNotDeploying(app.name);
    const build = await this.deps.builds.fromSource(app.name, tarFile, opts);
    if (build.settings) {
      // Settings the source declares (slipway.yml) become the app's settings from this deploy on.
      const merged = {
        ...app.settings,
        ...build.settings,
        healthcheck: { ...app.settings.healthcheck, ...build.settings.healthcheck },
      };
      this.deps.store.apps.updateSettings(app.name, merged);
      await this.deps.syncRouter();
    }
    return this.release(app.name, build, `Deploy ${opts.description}`, opts);
  }

  /** Config values are returned only to an authenticated caller; they never enter events or logs. */
  config(name: string): Record<string, string> {
    return this.deps.store.apps.config(this.get(name).name);
  }

  /** Changes config; when the app is running this makes a new release and rolls it out. */
  async changeConfig(
    name: string,
    set: Record<string, string>,
    unset: string[],
    opts: RunOptions,
  ): Promise<{ release?: DeployOutcome; keys: string[]; unchanged?: true }> {
    const app = this.get(name);
    if (Object.keys(set).length === 0 && unset.length === 0)
      throw new SlipwayError('INVALID_INPUT', 'no config changes given', {
        hint: 'e.g. slipway config:set -a APP KEY=value',
      });
    const before = this.deps.store.apps.config(app.name);
    const next = applyConfigChange(before, set, unset);
    const keys = Object.keys(next).sort();
    const same =
      keys.length === Object.keys(before).length &&
      keys.every((k) => Object.hasOwn(before, k) && before[k] === next[k]);
    // Unsetting a var that is not set (or setting the value it has) changes nothing: no release, no restart.
    if (same) return { keys, unchanged: true };
    this.assertNotDeploying(app.name);
    this.deps.store.apps.setConfig(app.name, next);
    if (app.currentRelease === null) return { keys };
    const current = this.deps.store.releases.get(app.name, app.currentRelease);
    const summary = [...Object.keys(set).map((k) => `set ${k}`), ...unset.map((k) => `unset ${k}`)].join(', ');
    try {
      const release = await this.release(
        app.name,
        this.deps.store.releases.build(current.buildId),
        `Config: ${summary}`,
        opts,
      );
      return { release, keys };
    } catch (err) {
      this.deps.store.apps.setConfig(app.name, before);
      throw err;
    }
  }

  /**
   * Validates and saves settings. Changed resource limits also apply at once to the running
   * containers of the affected process types (the engine updates their cgroups in place, no restart).
   */
  async updateSettings(name: string, changes: Record<string, string>): Promise<SettingsUpdate> {
    const app = this.get(name);
    const settings = applySettingChanges(app.settings, changes);
    this.deps.store.apps.updateSettings(app.name, settings);
    return { settings, ...(await this.applyLimits(app.name, app.settings, settings)) };
  }

  private async applyLimits(
    app: string,
    before: AppSettings,
    after: AppSettings,
  ): Promise<Omit<SettingsUpdate, 'settings'>> {
    const out: Omit<SettingsUpdate, 'settings'> = { resized: [], notApplied: [] };
    if (JSON.stringify(before.resources) === JSON.stringify(after.resources)) return out;
    const containers = await this.deps.engine.listContainers({ [LABELS.app]: app, [LABELS.managed]: 'true' });
    for (const c of containers) {
      const type = c.labels[LABELS.process];
      if (c.state !== 'running' || !type) continue;
      const was = resourceLimitsFor(before, type);
      const now = resourceLimitsFor(after, type);
      if (JSON.stringify(was) === JSON.stringify(now)) continue;
      const dyno = dynoName(c.labels);
      if (was.cpus !== undefined && now.cpus === undefined) {
        out.notApplied.push({
          dyno,
          reason: 'removing a CPU limit takes effect when the process restarts (`slipway ps:restart`)',
        });
        continue;
      }
      try {
        await this.deps.engine.updateContainerLimits(c.id, now);
        out.resized.push({ dyno, limits: now });
      } catch (err) {
        out.notApplied.push({ dyno, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    return out;
  }

  async scale(name: string, changes: Record<string, number>, opts: RunOptions): Promise<DeployOutcome> {
    const app = this.get(name);
    this.assertNotDeploying(app.name);
    return this.deps.deploys.scale(app.name, changes, opts);
  }

  /**
   * Rollback: release vN+1 from vK's build and config (default K: the last good release before the
   * current one), rolled out with zero downtime. The app's config becomes vK's.
   */
  async rollback(
    name: string,
    target: number | undefined,
    opts: RunOptions,
  ): Promise<DeployOutcome & { rolledBackTo: number }> {
    const app = this.get(name);
    this.assertNotDeploying(app.name);
    const { store } = this.deps;
    if (app.currentRelease === null)
      throw new SlipwayError('NO_RELEASE', `app "${app.name}" has no release to roll back from`, {
        hint: 'deploy it first',
      });
    const deployable = (status: string) => status === 'succeeded' || status === 'rolled back';
    const version =
      target ??
      store.releases.list(app.name).find((r) => r.version < app.currentRelease! && deployable(r.status))?.version;
    if (version === undefined) {
      throw new SlipwayError('RELEASE_NOT_FOUND', `${app.name} has no earlier good release to roll back to`, {
        hint: 'see `slipway releases -a ' + app.name + '`',
      });
    }
    const release = store.releases.get(app.name, version);
    if (version === app.currentRelease)
      throw new SlipwayError('INVALID_INPUT', `v${version} is already the current release`, {
        hint: 'name an older release: slipway rollback -a ' + app.name + ' vN',
      });
    if (!deployable(release.status)) {
      throw new SlipwayError(
        'INVALID_INPUT',
        `v${version} ${release.status === 'failed' ? 'failed' : 'never finished deploying'}; ` +
          'it cannot be rolled back to',
        {
          hint: 'pick a release whose status is succeeded or rolled back (`slipway releases -a ' + app.name + '`)',
        },
      );
    }
    const image = store.releases.build(release.buildId).imageRef;
    if (!(await this.deps.engine.inspectImage(image))) {
      throw new SlipwayError('IMAGE_NOT_FOUND', `the image of v${version} (${image}) is no longer on this host`, {
        hint:
          'image retention keeps the last SLIPWAY_KEEP_RELEASES releases ' +
          '(default 5); roll back to a newer release, or deploy that source again',
      });
    }
    const config = store.releases.config(app.name, version);
    const before = store.apps.config(app.name);
    store.apps.setConfig(app.name, config);
    const next = store.releases.create({
      app: app.name,
      buildId: release.buildId,
      config,
      description: `Rollback to v${version}`,
      now: new Date().toISOString(),
      createdBy: opts.actor ?? 'api',
      rollbackOf: version,
    });
    opts.emit({
      type: 'info',
      text: `created release v${next.version}: rollback to v${version}`,
      at: new Date().toISOString(),
    });
    try {
      const outcome = await this.deps.deploys.deployRelease(app.name, next.version, { ...opts, kind: 'rollback' });
      return { ...outcome, rolledBackTo: version };
    } catch (err) {
      store.apps.setConfig(app.name, before);
      if (store.releases.get(app.name, next.version).status === 'pending')
        store.releases.setStatus(app.name, next.version, 'failed', err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  async restart(name: string, types: string[], opts: RunOptions): Promise<DeployOutcome> {
    const app = this.get(name);
    this.assertNotDeploying(app.name);
    return this.deps.deploys.restart(app.name, types, opts);
  }

  private async release(app: string, build: Build, description: string, opts: RunOptions): Promise<DeployOutcome> {
    const config = this.deps.store.apps.config(app);
    const release = this.deps.store.releases.create({
      app,
      buildId: build.id,
      config,
      description,
      now: new Date().toISOString(),
      createdBy: opts.actor ?? 'api',
    });
    opts.emit({
      type: 'info',
      text: `created release v${release.version}: ${description}`,
      at: new Date().toISOString(),
    });
    try {
      const outcome = await this.deps.deploys.deployRelease(app, release.version, opts);
      await pruneAppImages(this.deps, app, { emit: opts.emit });
      return outcome;
    } catch (err) {
      if (this.deps.store.releases.get(app, release.version).status === 'pending') {
        this.deps.store.releases.setStatus(
          app,
          release.version,
          'failed',
          err instanceof Error ? err.message : String(err),
        );
      }
      throw err;
    }
  }

  /**
   * What is wrong with an app's stored state (a setting that no longer validates, a route the proxy had
   * to leave out): shown by `ps`; such an app is not deployed to until it is fixed.
   */
  problems(name: string): string[] {
    const app = this.get(name);
    return [...settingsProblems(app.settings).map((p) => `setting ${p}`), ...this.deps.router.routeProblems(app.name)];
  }

  /** Checked before slow work (a build) as well as when the deployment starts. */
  private assertNotDeploying(app: string): void {
    this.deps.store.deployments.assertIdle(app, { except: ['heal'] }); // the rollout waits for a heal (DeployService)
    const problems = this.problems(app);
    if (problems.length > 0) {
      throw new SlipwayError(
        'INVALID_INPUT',
        `${app} cannot be deployed until its settings are fixed: ${problems.join('; ')}`,
        {
          hint:
            `see \`slipway ps -a ${app}\`; fix it with \`slipway apps:settings:set ` +
            `-a ${app} KEY=VALUE\` (an empty value removes an optional setting)`,
          details: { problems },
        },
      );
    }
  }
}
