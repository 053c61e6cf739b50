import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SlipwayError, isSlipwayError } from '../../core/errors.js';
import type { ContainerEngine } from '../../engine/port.js';
import type { ArchiveLimits } from '../archive-check.js';
import { extractArchive } from '../archive-extract.js';
import { mkdirInside, parentOf, removeInside, resolveInside } from '../safe-path.js';
import type { Artifact } from './schema.js';
import type { BuildWorkspace } from './workspace.js';

export const BUILD_LABEL = 'slipway.build';
/**
 * Marks the never-started containers artifacts are copied out of. Containers inherit their image's
 * labels, so app containers carry `slipway.build` too (stamped on every built image): only this label
 * tells a build's own container apart.
 */
export const ARTIFACT_COPY_LABEL = 'slipway.artifact-copy';

/**
 * Copies a step's artifacts out of its image: create (never start) a container from it,
 * GET /containers/{id}/archive for each path, extract, remove the container.
 * Returns the directory holding each artifact (the file or directory itself).
 */
export async function copyArtifactsOut(
  engine: ContainerEngine,
  ws: BuildWorkspace,
  step: string,
  image: string,
  artifacts: Artifact[],
  limits: ArchiveLimits,
  signal?: AbortSignal,
): Promise<string[]> {
  if (artifacts.length === 0) return [];
  if (!engine.createContainer || !engine.copyFromContainer) {
    throw new SlipwayError('INTERNAL', 'this container engine cannot copy files out of images (artifacts)');
  }
  const id = await engine.createContainer(
    {
      name: `slipway-build-${ws.buildId}-${step}`,
      image,
      cmd: ['/slipway-artifacts'],
      env: {},
      labels: { [BUILD_LABEL]: ws.buildId, [ARTIFACT_COPY_LABEL]: ws.buildId },
    },
    signal,
  );
  try {
    const paths: string[] = [];
    for (const [index, artifact] of artifacts.entries()) {
      const dir = ws.artifactDir(step, index);
      let archive;
      try {
        archive = await engine.copyFromContainer(id, artifact.from, signal);
      } catch (err) {
        if (isSlipwayError(err) && err.details?.['status'] === 404) {
          throw new SlipwayError(
            'BUILD_FAILED',
            `artifact ${artifact.from} does not exist in the image of step "${step}"`,
            {
              hint: `check the artifact path in build.yml (steps.${step}.artifacts) against what the Dockerfile writes`,
            },
          );
        }
        throw err;
      }
      // What the image holds is the build's own content: checked and extracted like an upload.
      await extractArchive(archive, dir, {
        limits,
        what: `artifact ${artifact.from} of step "${step}"`,
        ...(signal ? { signal } : {}),
      });
      const [entry] = await readdir(dir);
      if (!entry) throw new SlipwayError('BUILD_FAILED', `artifact ${artifact.from} of step "${step}" is empty`);
      paths.push(join(dir, entry));
    }
    return paths;
  } finally {
    await engine.removeContainer(id, { force: true }).catch(() => undefined);
  }
}

/**
 * Puts an extracted artifact at its destination inside a step's build context. The destination is
 * resolved inside the context: a symbolic link among its parents is followed only while it stays
 * inside (`bin -> /usr/local/bin` is refused), and whatever is at the final name (a link included)
 * is removed itself, never what it points to.
 */
export async function placeArtifact(
  extracted: string,
  contextDir: string,
  artifact: Artifact,
  step: string,
): Promise<void> {
  const what = `the build context of step "${step}"`;
  await removeInside(contextDir, artifact.to, { what });
  await mkdirInside(contextDir, parentOf(artifact.to), { what });
  const target = await resolveInside(contextDir, artifact.to, { what, followFinal: false });
  await cp(extracted, target, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
}
