import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import type { SlipwayPaths } from '../config/environment.js';
import { ARTIFACT_COPY_LABEL, BUILD_LABEL } from './pipeline/artifacts.js';
import { LABELS } from '../core/types.js';
import { INTERMEDIATE_LABEL } from './pipeline/pipeline-build.js';
import { WORKSPACE_PREFIX } from './pipeline/workspace.js';

/** Temp files a build or an upload leaves in SLIPWAY_HOME/tmp while it runs (upload.ts, workspace.ts). */
const TEMP_PREFIXES = ['upload-', WORKSPACE_PREFIX];

export interface RecoveredBuilds {
  failed: string[];
  removedTemp: number;
  removedContainers: number;
  removedImages: number;
}

/**
 * At server start-up, nothing is building yet: a build record still `running` was interrupted by a
 * crash (kill -9, power loss). It is marked failed ("interrupted by a server restart"); the temp
 * files of this home (uploads, workspaces), the build containers of this home and the intermediate
 * images and unfinished final tags of those builds are removed. Images are matched by the
 * interrupted builds' ids only, so another Slipway home sharing the engine is never touched.
 * Never throws: what cannot be removed now is reported.
 */
export async function recoverInterruptedBuilds(
  deps: { store: Store; engine: ContainerEngine; paths: SlipwayPaths },
  log: (message: string) => void,
): Promise<RecoveredBuilds> {
  const { store, engine, paths } = deps;
  const now = new Date().toISOString();
  const interrupted = store.apps
    .list()
    .flatMap((app) => store.buildRecords.list(app.name).filter((r) => r.status === 'running'));
  for (const record of interrupted) {
    store.buildRecords.fail(record.id, {
      error: {
        code: 'BUILD_FAILED',
        message: 'interrupted by a server restart',
        hint: 'run the build (or deploy) again',
      },
      ...(record.digest ? { digest: record.digest } : {}),
      steps: record.steps,
      log: `${store.buildRecords.log(record.id)}-- interrupted by a server restart\n`,
      finishedAt: now,
    });
  }
  const out: RecoveredBuilds = {
    failed: interrupted.map((r) => r.id),
    removedTemp: 0,
    removedContainers: 0,
    removedImages: 0,
  };
  const names = await readdir(paths.tmp).catch(() => [] as string[]);
  for (const name of names.filter((n) => TEMP_PREFIXES.some((p) => n.startsWith(p)))) {
    await rm(join(paths.tmp, name), { recursive: true, force: true, maxRetries: 3 }).then(
      () => out.removedTemp++,
      (err: unknown) => log(`build recovery: cannot remove ${name}: ${String(err)}`),
    );
  }
  try {
    // Build containers (artifact copies) are scoped to this home by the engine's instance label. Not
    // `slipway.build`: app containers inherit it from their image's labels.
    for (const container of await engine.listContainers({ [ARTIFACT_COPY_LABEL]: undefined })) {
      if (container.labels[LABELS.process] !== undefined) continue;
      await engine.removeContainer(container.id, { force: true }).then(
        () => out.removedContainers++,
        () => undefined,
      );
    }
    const ids = new Set(interrupted.map((r) => r.id));
    if (ids.size > 0 && engine.removeImage) {
      const images = (await engine.listImages?.({ [BUILD_LABEL]: undefined, [INTERMEDIATE_LABEL]: 'true' })) ?? [];
      for (const image of images.filter((i) => ids.has(i.labels[BUILD_LABEL] ?? ''))) {
        await engine.removeImage(image.id, { force: true }).then(
          () => out.removedImages++,
          () => undefined,
        );
      }
      // A final image built but never recorded: its tag names the build.
      for (const record of interrupted) {
        const tag = `slipway/${record.app}:build-${record.id}`;
        if (await engine.inspectImage(tag).catch(() => null))
          await engine.removeImage(tag).then(
            () => out.removedImages++,
            () => undefined,
          );
      }
    }
  } catch (err) {
    log(
      'build recovery: the engine did not answer ' +
        `(${err instanceof Error ? err.message : String(err)}); leftovers stay until the next start`,
    );
  }
  if (out.failed.length + out.removedTemp + out.removedContainers + out.removedImages > 0) {
    log(
      `build recovery: ${out.failed.length} interrupted build(s) marked failed, ${out.removedTemp} temp file(s), ` +
        `${out.removedContainers} container(s), ${out.removedImages} image(s) removed`,
    );
  }
  return out;
}
