import { mkdir, rm, cp, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SlipwayError, isSlipwayError } from '../../core/errors.js';
import type { ContainerEngine } from '../../engine/port.js';
import type { Artifact } from './schema.js';
import { runTar, type BuildWorkspace } from './workspace.js';

export const BUILD_LABEL = 'slipway.build';

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
  signal?: AbortSignal,
): Promise<string[]> {
  if (artifacts.length === 0) return [];
  if (!engine.createContainer || !engine.copyFromContainer) {
    throw new SlipwayError('INTERNAL', 'this container engine cannot copy files out of images (artifacts)');
  }
  const id = await engine.createContainer(
    { name: `slipway-build-${ws.buildId}-${step}`, image, cmd: ['/slipway-artifacts'], env: {}, labels: { [BUILD_LABEL]: ws.buildId } },
    signal,
  );
  try {
    const paths: string[] = [];
    for (const [index, artifact] of artifacts.entries()) {
      const dir = ws.artifactDir(step, index);
      await mkdir(dir, { recursive: true });
      let archive;
      try {
        archive = await engine.copyFromContainer(id, artifact.from, signal);
      } catch (err) {
        if (isSlipwayError(err) && err.details?.['status'] === 404) {
          throw new SlipwayError('BUILD_FAILED', `artifact ${artifact.from} does not exist in the image of step "${step}"`, {
            hint: `check the artifact path in build.yml (steps.${step}.artifacts) against what the Dockerfile writes`,
          });
        }
        throw err;
      }
      await runTar(['-x', '-C', dir, '--no-same-owner'], archive);
      const [entry] = await readdir(dir);
      if (!entry) throw new SlipwayError('BUILD_FAILED', `artifact ${artifact.from} of step "${step}" is empty`);
      paths.push(join(dir, entry));
    }
    return paths;
  } finally {
    await engine.removeContainer(id, { force: true }).catch(() => undefined);
  }
}

/** Puts an extracted artifact at its destination inside a step's build context. */
export async function placeArtifact(extracted: string, contextDir: string, artifact: Artifact): Promise<void> {
  const target = join(contextDir, artifact.to);
  await rm(target, { recursive: true, force: true });
  await mkdir(dirname(target), { recursive: true });
  await cp(extracted, target, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
}
