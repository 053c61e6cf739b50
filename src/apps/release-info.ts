import type { Store } from '../store/store.js';
import type { BuildRecord } from '../store/build-record-repository.js';
import type { Build, Deployment, Release } from '../core/types.js';
import type { SlipwayEvent } from '../core/events.js';

/** One step of a deployment as `releases:info` shows it (stage ends and notes; output lines are counted). */
export interface TimelineEntry {
  at: string;
  text: string;
  ms?: number;
  ok?: boolean;
}

/** `releases:info vN`: everything about one release. */
export interface ReleaseInfo {
  release: Release & { current: boolean };
  build: Pick<Build, 'id' | 'imageRef' | 'imageId' | 'source' | 'createdAt'> & {
    /** Process types of its Procfile (`release` included), none = the image's CMD as `web`. */
    processTypes: string[];
    record?: Omit<BuildRecord, 'steps'> & { steps: number };
  };
  /** Deployments of this release (the one that made it first), newest first, each with its timeline. */
  deployments: Array<{ deployment: Deployment; timeline: TimelineEntry[]; outputLines: number }>;
}

/** Deployments looked at for one release (an app's most recent ones). */
const DEPLOYMENTS_SCANNED = 500;
/** Deployments of one release shown (with timelines). */
const DEPLOYMENTS_SHOWN = 10;

export function releaseInfo(store: Store, app: string, version: number): ReleaseInfo {
  const release = store.releases.get(app, version);
  const build = store.releases.build(release.buildId);
  const record = store.buildRecords.forBuild(build.id);
  const deployments = store.deployments
    .list(app, DEPLOYMENTS_SCANNED)
    .filter((d) => d.release === version)
    .slice(0, DEPLOYMENTS_SHOWN);
  return {
    release: { ...release, current: store.apps.get(app).currentRelease === version },
    build: {
      id: build.id,
      imageRef: build.imageRef,
      imageId: build.imageId,
      source: build.source,
      createdAt: build.createdAt,
      processTypes: build.procfile ? Object.keys(build.procfile).sort() : [],
      ...(record ? { record: { ...record, steps: record.steps.length } } : {}),
    },
    deployments: deployments.map((deployment) => {
      const events = store.deployments.events(deployment.id);
      return {
        deployment,
        timeline: timeline(events),
        outputLines: events.filter((e) => e.type === 'output').length,
      };
    }),
  };
}

/** Stage ends (with their timing) and notes, in order; stage starts and output lines are left out. */
export function timeline(events: SlipwayEvent[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const e of events) {
    if (e.type === 'stage-end')
      out.push({ at: e.at, text: `${e.label}${e.note ? ` — ${e.note}` : ''}`, ms: e.ms, ok: e.ok });
    else if (e.type === 'info') out.push({ at: e.at, text: e.text });
  }
  return out;
}
