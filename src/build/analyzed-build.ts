import { SlipwayError } from '../core/errors.js';
import type { SourceBuildContext, SourceBuildResult } from './source-build-types.js';

/** Builds a directory that has no Dockerfile from Slipway's source analysis (issue 4). */
export async function buildFromAnalysis(ctx: SourceBuildContext): Promise<SourceBuildResult> {
  void ctx;
  throw new SlipwayError('NO_DOCKERFILE', 'no Dockerfile in the deployed directory', {
    hint: 'add a Dockerfile to the directory (or name another one with --dockerfile), or deploy a prebuilt image with --image',
  });
}
