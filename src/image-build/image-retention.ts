import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import type { EventSink } from '../core/events.js';
import type { BuildImageRow } from '../store/build-record-repository.js';

export const DEFAULT_KEEP_RELEASES = 5;

export interface RetentionInput {
  /** The app's builds (the `builds` table). */
  builds: BuildImageRow[];
  /** Release version → build id. */
  releases: { version: number; buildId: number }[];
  current: number | null;
  /** Releases kept warm (blue-green). */
  warm: number[];
  keep: number;
}

/**
 * Which images to prune (pure). Kept: the images of the last `keep` releases, of the current and
 * warm releases, and of the last `keep` builds (built, maybe not deployed yet: `deploy --build`).
 * Only images Slipway built from source are ever pruned (never an image deployed with --image),
 * and never a reference a kept build also uses.
 */
export function planImageRetention(input: RetentionInput): { keep: number[]; prune: BuildImageRow[] } {
  const keep = new Set<number>();
  const byVersion = new Map(input.releases.map((r) => [r.version, r.buildId]));
  [...input.releases]
    .sort((a, b) => b.version - a.version)
    .slice(0, input.keep)
    .forEach((r) => keep.add(r.buildId));
  for (const version of [input.current, ...input.warm]) {
    const buildId = version === null ? undefined : byVersion.get(version);
    if (buildId !== undefined) keep.add(buildId);
  }
  [...input.builds]
    .sort((a, b) => b.id - a.id)
    .slice(0, input.keep)
    .forEach((b) => keep.add(b.id));
  const keptRefs = new Set(input.builds.filter((b) => keep.has(b.id)).flatMap((b) => [b.imageRef, b.imageId]));
  const prune = input.builds.filter(
    (b) => b.kind === 'dir' && !keep.has(b.id) && !keptRefs.has(b.imageRef) && !b.imageRef.startsWith('sha256:'),
  );
  return { keep: [...keep].sort((a, b) => a - b), prune };
}

/** The retention count from SLIPWAY_KEEP_RELEASES (default 5). */
export function keepReleasesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env['SLIPWAY_KEEP_RELEASES']);
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_KEEP_RELEASES;
}

/**
 * Prunes an app's old images after a successful deploy. Images are removed by tag without force:
 * an image a container still uses, or that another tag points at, stays. Never throws.
 */
export async function pruneAppImages(
  deps: { engine: ContainerEngine; store: Store },
  app: string,
  opts: { keep?: number; emit?: EventSink } = {},
): Promise<string[]> {
  const { engine, store } = deps;
  if (!engine.removeImage) return [];
  try {
    const plan = planImageRetention({
      builds: store.buildRecords.appBuilds(app).filter((b) => !store.buildRecords.forBuild(b.id)?.prunedAt),
      releases: store.releases.list(app).map((r) => ({ version: r.version, buildId: r.buildId })),
      current: store.apps.get(app).currentRelease,
      warm: store.buildRecords.warmReleases(app),
      keep: opts.keep ?? keepReleasesFromEnv(),
    });
    const removed: string[] = [];
    const pruned: number[] = [];
    for (const build of plan.prune) {
      try {
        await engine.removeImage(build.imageRef);
        removed.push(build.imageRef);
        pruned.push(build.id);
      } catch {
        // in use by a container (or already gone differently): kept this time
      }
    }
    store.buildRecords.markPruned(pruned, new Date().toISOString());
    if (removed.length > 0)
      opts.emit?.({
        type: 'info',
        text: `pruned ${removed.length} old image(s) of ${app}`,
        at: new Date().toISOString(),
      });
    return removed;
  } catch (err) {
    opts.emit?.({
      type: 'info',
      text: `image retention skipped: ${err instanceof Error ? err.message : String(err)}`,
      at: new Date().toISOString(),
    });
    return [];
  }
}
