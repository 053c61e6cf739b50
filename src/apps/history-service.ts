import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import type { BuildRecord } from '../store/build-record-repository.js';
import type { BuildSource, Deployment, Release } from '../core/types.js';
import type { SlipwayEvent } from '../core/events.js';
import { SlipwayError } from '../core/errors.js';
import { inspectGrid, type BuildGrid } from '../image-build/build-grid.js';

/** A release as `slipway releases` shows it: its build's image and source, and whether it serves now. */
export type ReleaseView = Release & { current: boolean; image: string; source: BuildSource };

/** A build record with the releases made from its build. */
export type BuildRecordView = BuildRecord & { releases: number[] };

/**
 * What happened to an app, read only: releases, deployments and their journals, build records and
 * the build grid. Callers pass an app name the AppService has already resolved.
 */
export class HistoryService {
  constructor(private readonly deps: { store: Store; engine: ContainerEngine }) {}

  releases(app: string): ReleaseView[] {
    const { releases, apps } = this.deps.store;
    const current = apps.get(app).currentRelease;
    return releases.list(app).map((r) => {
      const build = releases.build(r.buildId);
      return { ...r, current: r.version === current, image: build.imageRef, source: build.source };
    });
  }

  deployments(app: string): Deployment[] {
    return this.deps.store.deployments.list(app);
  }

  /** One deployment of the app and its journal (events, secrets already redacted when they were stored). */
  deployment(app: string, id: number): { deployment: Deployment; events: SlipwayEvent[] } {
    const { deployments } = this.deps.store;
    const deployment = deployments.get(id);
    if (deployment.app !== app) throw new SlipwayError('NOT_FOUND', `deployment ${id} is not one of ${app}'s`);
    return { deployment, events: deployments.events(deployment.id) };
  }

  builds(app: string): BuildRecordView[] {
    const { buildRecords } = this.deps.store;
    const releases = buildRecords.releasesByBuild(app);
    return buildRecords
      .list(app)
      .map((r) => ({ ...r, releases: r.buildId === null ? [] : (releases.get(r.buildId) ?? []) }));
  }

  build(app: string, id: string): { build: BuildRecord; log: string } {
    const { buildRecords } = this.deps.store;
    const record = buildRecords.get(app, id);
    return { build: record, log: buildRecords.log(record.id) };
  }

  /** The build grid of a release (`vN`) or of one of the app's containers. */
  inspect(app: string, target: string): Promise<BuildGrid> {
    return inspectGrid(this.deps, app, target);
  }
}
