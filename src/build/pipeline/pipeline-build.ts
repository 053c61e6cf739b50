import { SlipwayError } from '../../core/errors.js';
import type { SourceBuildContext, SourceBuildResult } from '../source-build-types.js';

/** Builds a directory with a build.yml: a graph of steps with artifacts and build secrets (issue 5). */
export async function buildFromPipeline(ctx: SourceBuildContext): Promise<SourceBuildResult> {
  void ctx;
  throw new SlipwayError('INVALID_INPUT', 'build.yml pipelines are not supported yet', { hint: 'remove build.yml to build the Dockerfile' });
}
