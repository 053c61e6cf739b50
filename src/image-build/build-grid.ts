import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import { SlipwayError } from '../core/errors.js';
import { LABELS } from '../core/types.js';
import type { BuildRecord } from '../store/build-record-repository.js';

/** container → release → build → image → commit, for `slipway inspect CONTAINER|vN`. */
export interface BuildGrid {
  container?: { id: string; name: string; state: string; image: string; release: string };
  release: { version: number; status: string; current: boolean; description: string; createdAt: string };
  build: { id: number; imageRef: string; source: unknown; createdAt: string };
  record?: Omit<BuildRecord, 'app'>;
  image: { id: string; exists: boolean; labels: Record<string, string> };
  /** Where the code came from: the image's own label first, then the build record. */
  commit?: string;
  branch?: string;
  dirty?: boolean;
  contentHash?: string;
}

export async function inspectGrid(
  deps: { store: Store; engine: ContainerEngine },
  app: string,
  target: string,
): Promise<BuildGrid> {
  const { store, engine } = deps;
  let container: BuildGrid['container'];
  let version: number;
  const asVersion = /^v?(\d+)$/.exec(target);
  if (asVersion && target.startsWith('v')) {
    version = Number(asVersion[1]);
  } else {
    const info = await engine.inspectContainer(target);
    if (!info || info.labels[LABELS.app] !== app) {
      throw new SlipwayError('NOT_FOUND', `no container "${target}" of ${app}`, {
        hint: `name a container from \`slipway ps -a ${app}\` or a release as vN`,
      });
    }
    container = {
      id: info.id,
      name: info.name,
      state: info.state,
      image: info.image,
      release: info.labels[LABELS.release] ?? '?',
    };
    version = Number((info.labels[LABELS.release] ?? '').replace(/^v/, ''));
  }
  const release = store.releases.get(app, version);
  const build = store.releases.build(release.buildId);
  const record = store.buildRecords.forBuild(build.id);
  const image = await engine.inspectImage(build.imageId);
  const labels = image?.labels ?? {};
  const source = record?.source;
  const commit = labels['org.opencontainers.image.revision'] ?? source?.commit;
  const branch = labels['slipway.source.branch'] ?? source?.branch;
  const dirty = labels['slipway.source.dirty'] ? labels['slipway.source.dirty'] === 'true' : source?.dirty;
  const contentHash = labels['slipway.source.hash'] ?? source?.contentHash;
  const { app: _omit, ...recordOut } = record ?? ({} as BuildRecord);
  return {
    ...(container ? { container } : {}),
    release: {
      version,
      status: release.status,
      current: store.apps.get(app).currentRelease === version,
      description: release.description,
      createdAt: release.createdAt,
    },
    build: { id: build.id, imageRef: build.imageRef, source: build.source, createdAt: build.createdAt },
    ...(record ? { record: recordOut } : {}),
    image: { id: build.imageId, exists: image !== null, labels },
    ...(commit ? { commit } : {}),
    ...(branch ? { branch } : {}),
    ...(dirty !== undefined ? { dirty } : {}),
    ...(contentHash ? { contentHash } : {}),
  };
}
