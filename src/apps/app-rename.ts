import { assertNotApiHostName } from '../domains/app-hosts.js';
import type { ContainerEngine } from '../engine/port.js';
import type { Router } from '../router/port.js';
import type { Store } from '../store/store.js';
import type { AppRename } from '../store/app-rename-repository.js';
import { LogRepository, type StoredLogLine } from '../store/log-repository.js';
import type { Release } from '../core/types.js';
import { SlipwayError, toSlipwayError } from '../core/errors.js';
import { validateAppName } from '../core/names.js';
import { stage, type EventSink } from '../core/events.js';
import { makeRedactor } from '../core/redact.js';
import { observeApp } from '../deploy/observe.js';
import { planRollout } from '../deploy/plan-rollout.js';
import { RolloutExecutor } from '../deploy/rollout-executor.js';
import { journalEvents } from '../deploy/journal.js';
import { runningFormation } from '../deploy/stopped-types.js';
import type { DesiredState } from '../deploy/plan-types.js';

export interface AppRenameDeps {
  engine: ContainerEngine;
  router: Router;
  store: Store;
  /** Makes the router match the store (a rename changes backends: a seamless reload). */
  syncRouter: () => Promise<void>;
  processesOf: (release: Release) => Record<string, string | null>;
  log?: (message: string) => void;
  now?: () => number;
  /** The remote API's host, and the app name whose default host it would be. */
  apiHost?: { host: string; appName: string | undefined };
}

export interface RenameOutcome {
  app: string;
  from: string;
  /** Containers replaced by ones that carry the new name. */
  relabelled: number;
  ms: number;
}

/** A failed relabelling is tried again after this long (and at start-up). */
export const RELABEL_RETRY_MS = 30_000;

/**
 * `apps:rename OLD NEW` (Heroku semantics). Under the app's deploy lock: the new name's image tags are
 * made, then one store transaction renames the app and every row that names it (releases, builds,
 * config, domains, certificate, logs, …); the router is synced (a seamless reload: the new default
 * host and the custom domains route to the same servers, the old default host stops answering);
 * then a zero-downtime restart replaces every container — they carry the app's name in their labels
 * and environment — with one that carries the new name. If that restart fails, the rename stands and
 * the restart is retried (every 30 s and at start-up) until every container carries the new name.
 */
export class AppRenameService {
  private readonly retryAt = new Map<number, number>();
  /** Renames being relabelled now (by `rename` or a retry): never two restarts of one rename at once. */
  private readonly inFlight = new Set<number>();
  private running: Promise<void> | undefined;

  constructor(private readonly deps: AppRenameDeps) {}

  async rename(
    fromName: string,
    toName: string,
    opts: { emit: EventSink; signal?: AbortSignal },
  ): Promise<RenameOutcome> {
    const { store } = this.deps;
    const started = this.now();
    const from = store.apps.get(validateAppName(fromName)).name;
    const to = validateAppName(toName);
    assertNotApiHostName(to, this.deps.apiHost?.appName, this.deps.apiHost?.host);
    if (to === from)
      throw new SlipwayError('INVALID_INPUT', `the app is already called ${from}`, {
        hint: `slipway apps:rename ${from} NEW_NAME`,
      });
    if (store.apps.find(to))
      throw new SlipwayError('APP_EXISTS', `app "${to}" already exists`, {
        hint: 'choose another name, or destroy that app first (`slipway apps:destroy`)',
      });
    const app = store.apps.get(from);
    // The deploy lock: refused while a deployment (or a heal, a destroy) of the app runs.
    const lock = store.deployments.start({
      app: from,
      release: app.currentRelease ?? 0,
      kind: 'rename',
      now: new Date(started).toISOString(),
    });
    let rename: AppRename;
    try {
      if (store.buildRecords.list(from, 20).some((b) => b.status === 'running'))
        throw new SlipwayError('DEPLOY_IN_PROGRESS', `a build of ${from} is running`, {
          hint: `wait for it to finish (\`slipway builds -a ${from}\`), then rename`,
        });
      const images = await this.tagImages(from, to, opts.signal);
      try {
        // Checked again after the wait: from here to the commit nothing else runs.
        if (store.apps.find(to)) throw new SlipwayError('APP_EXISTS', `app "${to}" already exists`);
        rename = store.renames.rename({
          from,
          to,
          deploymentId: lock.id,
          now: new Date(started).toISOString(),
          images,
        });
      } catch (err) {
        await this.untag([...images.values()]);
        throw err;
      }
      this.inFlight.add(rename.id); // the background retry leaves it alone: relabelled below
      // Blue-green warm sets are not carried over: their containers are replaced like the others.
      for (const warm of store.warmSets.forApp(to)) store.warmSets.remove(to, warm.release);
      try {
        await this.deps.syncRouter();
      } catch (err) {
        store.renames.undo(rename.id, images);
        this.inFlight.delete(rename.id);
        await this.deps.syncRouter().catch(() => undefined);
        await this.untag([...images.values()]);
        throw err;
      }
    } catch (err) {
      // Nothing was renamed (or it was undone): the lock goes, the error is the user's answer.
      store.deployments.finish(lock.id, 'failed', new Date().toISOString(), toSlipwayError(err).toJSON());
      throw err;
    }
    opts.emit({ type: 'info', text: `renamed ${from} to ${to}`, at: new Date().toISOString() });
    try {
      const relabelled = await this.relabel(rename, lock.id, opts.emit, opts.signal);
      return { app: to, from, relabelled, ms: this.now() - started };
    } catch (err) {
      const error = toSlipwayError(err);
      throw new SlipwayError(
        error.code,
        `renamed ${from} to ${to}, but replacing its containers failed: ${error.message}`,
        {
          hint:
            `${to} keeps serving from its current containers; Slipway tries again every ` +
            `${RELABEL_RETRY_MS / 1000} s (\`slipway apps:info -a ${to}\` shows it)`,
          ...(error.details ? { details: error.details } : {}),
        },
      );
    }
  }

  /** Retries unfinished relabellings in the background; returns the function that stops it. */
  startRetrying(intervalMs = 5_000): () => void {
    const timer = setInterval(() => void this.resumePending(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Relabels apps whose rename did not finish (a crash, a failed restart). Run at start-up before
   * interrupted deployments are recovered, then periodically; one pass at a time, each rename at most
   * every RELABEL_RETRY_MS after a failure.
   */
  resumePending(): Promise<void> {
    this.running ??= (async () => {
      for (const rename of this.deps.store.renames.pending()) {
        if (this.inFlight.has(rename.id) || (this.retryAt.get(rename.id) ?? 0) > this.now()) continue;
        const lock = this.lockFor(rename);
        if (!lock) continue;
        try {
          const n = await this.relabel(rename, lock, () => {});
          this.deps.log?.(`rename of ${rename.formerName} to ${rename.app}: ${n} container(s) relabelled`);
        } catch (err) {
          this.deps.log?.(`rename of ${rename.formerName} to ${rename.app}: relabelling failed again: ${String(err)}`);
        }
      }
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  /** The deployment to relabel under: the rename's own when still running (after a crash), else a new one. */
  private lockFor(rename: AppRename): number | undefined {
    const { store } = this.deps;
    const own = store.deployments.get(rename.deploymentId);
    if (own.status === 'running' && own.app === rename.app) return own.id;
    try {
      const app = store.apps.get(rename.app);
      return store.deployments.start({
        app: app.name,
        release: app.currentRelease ?? 0,
        kind: 'rename',
        now: new Date(this.now()).toISOString(),
      }).id;
    } catch {
      return undefined; // another deployment runs: next time
    }
  }

  /**
   * The zero-downtime restart that gives every container the new name: containers that still carry
   * the old name count as no release at all, so the planner replaces each (start, probe, route, UP,
   * then drain and remove the old one); those that already carry the new name are kept.
   */
  private async relabel(rename: AppRename, deploymentId: number, forward: EventSink, signal?: AbortSignal) {
    const { store, engine, router } = this.deps;
    this.inFlight.add(rename.id);
    try {
      const app = store.apps.get(rename.app);
      const release = app.currentRelease === null ? undefined : store.releases.get(app.name, app.currentRelease);
      const config = release ? store.releases.config(app.name, release.version) : {};
      const emit = journalEvents(store, deploymentId, makeRedactor(config), forward);
      const desired: DesiredState = release
        ? {
            release: release.version,
            image: store.releases.build(release.buildId).imageRef,
            processes: this.deps.processesOf(release),
            formation: runningFormation(store.apps.formation(app.name), store.stoppedProcesses.types(app.name)),
            equivalentReleases: store.releases.equivalents(app.name, release.version),
          }
        : { release: 0, processes: {}, formation: {} };
      // Only containers made before the rename: a new app may be called by the old name since.
      const before = Date.parse(rename.startedAt);
      const old = (await observeApp(engine, store.routes, app.name, signal, { labelledAs: rename.formerName }))
        .filter((c) => c.startedAt === undefined || Date.parse(c.startedAt) <= before)
        .map((c) => ({ ...c, release: 0 }));
      const current = await observeApp(engine, store.routes, app.name, signal);
      const steps = planRollout(desired, [...current, ...old]);
      await stage(emit, 'deploy', `restart ${app.name}'s containers with the new name`, () =>
        new RolloutExecutor(
          {
            engine,
            router,
            store: { ...store, logs: new RenamedLogs(store.db, rename) },
            emit,
            ...(signal ? { signal } : {}),
          },
          { app: app.name, deploymentId, desired, config, settings: app.settings },
        ).execute(steps),
      );
      store.renames.finish(rename.id, new Date().toISOString());
      store.deployments.finish(deploymentId, 'succeeded', new Date().toISOString());
      this.retryAt.delete(rename.id);
      await this.untag(this.formerTags(rename));
      return old.length;
    } catch (err) {
      const error = toSlipwayError(err);
      store.renames.failed(rename.id, { code: error.code, message: error.message });
      store.deployments.finish(deploymentId, 'failed', new Date().toISOString(), error.toJSON());
      this.retryAt.set(rename.id, this.now() + RELABEL_RETRY_MS);
      throw err;
    } finally {
      this.inFlight.delete(rename.id);
    }
  }

  /** `slipway/OLD:TAG` → `slipway/NEW:TAG` for the images Slipway built for the app (the tag is added). */
  private async tagImages(from: string, to: string, signal?: AbortSignal): Promise<Map<string, string>> {
    const images = new Map<string, string>();
    const tagImage = this.deps.engine.tagImage?.bind(this.deps.engine);
    if (!tagImage) return images;
    for (const ref of this.deps.store.releases.imageRefs(from)) {
      if (!ref.startsWith(`slipway/${from}:`)) continue;
      const renamed = `slipway/${to}:${ref.slice(`slipway/${from}:`.length)}`;
      try {
        await tagImage(ref, renamed, signal);
        images.set(ref, renamed);
      } catch {
        // gone (pruned): the reference stays as it was
      }
    }
    return images;
  }

  /** The old name's tags of the images that now carry the new name (build tags are unique: `build-<id>`). */
  private formerTags(rename: AppRename): string[] {
    const prefix = `slipway/${rename.app}:`;
    return this.deps.store.releases
      .imageRefs(rename.app)
      .filter((ref) => ref.startsWith(prefix))
      .map((ref) => `slipway/${rename.formerName}:${ref.slice(prefix.length)}`);
  }

  /** Removes image tags (never the images: another tag points at them). */
  private async untag(refs: string[]): Promise<void> {
    for (const ref of refs) await this.deps.engine.removeImage?.(ref).catch(() => undefined);
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}

/** The app's log archive while it is renamed: lines of containers that carry the old name go to the new one. */
class RenamedLogs extends LogRepository {
  constructor(
    db: Store['db'],
    private readonly rename: AppRename,
  ) {
    super(db);
  }

  override append(app: string, lines: StoredLogLine[]): void {
    super.append(app === this.rename.formerName ? this.rename.app : app, lines);
  }
}
