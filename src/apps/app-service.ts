import { assertNotApiHostName } from '../domains/app-hosts.js';
import type { ContainerEngine } from '../engine/port.js';
import type { Router } from '../router/port.js';
import type { Store } from '../store/store.js';
import type { App, AppSettings, Build } from '../core/types.js';
import { SlipwayError, toSlipwayError } from '../core/errors.js';
import { validateAppName } from '../core/names.js';
import { applyConfigChange } from '../config/config-vars.js';
import { applySettingChanges, settingsProblems } from '../config/app-settings.js';
import type { DeployOutcome, DeployService, RunOptions } from '../deploy/deploy-service.js';
import type { BuildService, SourceBuildOptions } from '../image-build/build-service.js';
import { pruneAppImages } from '../image-build/image-retention.js';
import { deployableBuild } from './deployable-build.js';
import { resizeContainers, type ResizeOutcome } from './resize-containers.js';

export interface SettingsUpdate extends ResizeOutcome {
  settings: AppSettings;
}

export interface AppServiceDeps {
  engine: ContainerEngine;
  router: Router;
  store: Store;
  deploys: DeployService;
  builds: BuildService;
  /** Re-applies every app's backend/hosts to the router (after an app is created or destroyed). */
  syncRouter: () => Promise<void>;
  /** The remote API's host, and the app name whose default host it would be (never given to an app). */
  apiHost?: { host: string; appName: string | undefined };
}

/** Apps, their config and their deploys: the use cases the API exposes. */
export class AppService {
  /** Source deploys whose build runs (before their deployment starts), by app: the lock of that phase. */
  private readonly building = new Map<string, { actor: string; what: string; since: string }>();

  constructor(private readonly deps: AppServiceDeps) {}

  list(): App[] {
    return this.deps.store.apps.list();
  }

  get(name: string): App {
    return this.deps.store.apps.get(validateAppName(name));
  }

  async create(name: string): Promise<App> {
    assertNotApiHostName(validateAppName(name), this.deps.apiHost?.appName, this.deps.apiHost?.host);
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
      return await this.removeEverything(app, lock.id);
    } catch (err) {
      this.deps.store.deployments.finish(lock.id, 'failed', new Date().toISOString(), toSlipwayError(err).toJSON());
      throw err;
    }
  }

  /**
   * Removes the app's containers (the retire steps of a deploy, journaled under the destroy lock:
   * DeployService.removeAllContainers) and built images, then the app (its lock row goes with it).
   */
  private async removeEverything(
    app: App,
    lockId: number,
  ): Promise<{ removedContainers: number; removedImages: number }> {
    const { engine, store } = this.deps;
    const removedContainers = await this.deps.deploys.removeAllContainers(app.name, lockId);
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
    return { removedContainers, removedImages };
  }

  /**
   * `ownImagesOnly` (a member, or a token limited to one app): an image on this host must be one of this
   * app's own builds, so one app's deployer cannot run another app's images; registry images are pulled.
   */
  async deployImage(
    name: string,
    image: string,
    opts: RunOptions & { ownImagesOnly?: boolean },
  ): Promise<DeployOutcome> {
    const app = this.get(name);
    this.assertNotDeploying(app.name);
    const build = await this.deps.builds.fromImage(
      app.name,
      image,
      opts.emit,
      opts.signal,
      opts.ownImagesOnly === true,
    );
    return this.release(app.name, build, `Deploy image ${image}`, opts);
  }

  /**
   * Deploys a recorded build (`slipway build`, then `deploy --build ID`). ID is what users see: a build
   * record's id (`slipway builds`) or a build number (`buildId` in `releases --json` and `builds --json`).
   */
  async deployBuild(name: string, id: string, opts: RunOptions): Promise<DeployOutcome> {
    const app = this.get(name);
    this.assertNotDeploying(app.name);
    const build = await deployableBuild(this.deps, app.name, id);
    return this.release(app.name, build, `Deploy build ${id}`, opts);
  }

  async deploySource(name: string, tarFile: string, opts: SourceBuildOptions): Promise<DeployOutcome> {
    const app = this.get(name);
    this.assertNotDeploying(app.name);
    // The build comes before the deployment (and its lock row): held here meanwhile, naming who and what.
    this.building.set(app.name, {
      actor: opts.actor ?? 'api',
      what: opts.description,
      since: new Date().toISOString(),
    });
    try {
      return await this.buildAndRelease(app, tarFile, opts);
    } finally {
      this.building.delete(app.name);
    }
  }

  private async buildAndRelease(app: App, tarFile: string, opts: SourceBuildOptions): Promise<DeployOutcome> {
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
   * containers of the affected process types (the engine updates their cgroups in place, no restart);
   * the router gets the new health check.
   */
  async updateSettings(name: string, changes: Record<string, string>): Promise<SettingsUpdate> {
    const app = this.get(name);
    const settings = applySettingChanges(app.settings, changes);
    this.deps.store.apps.updateSettings(app.name, settings);
    const limits = await resizeContainers(this.deps.engine, app.name, app.settings, settings);
    // The health check (path, interval, timeout) is part of the app's HAProxy backend.
    await this.deps.syncRouter();
    return { settings, ...limits };
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
    const build = store.releases.build(release.buildId);
    const image = build.imageRef;
    const present = await this.deps.builds.ensureImage(build, opts.emit, opts.signal);
    // A pull can take a while: another deploy may have started meanwhile.
    this.assertNotDeploying(app.name);
    if (!present) {
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
    const held = this.building.get(app);
    if (held)
      throw new SlipwayError(
        'DEPLOY_IN_PROGRESS',
        `app "${app}" has a deployment in progress (building ${held.what} for ${held.actor}, since ${held.since})`,
        { hint: 'wait for it to finish (`slipway builds -a ' + app + '`), then try again' },
      );
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
