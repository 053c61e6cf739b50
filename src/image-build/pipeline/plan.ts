import { SlipwayError } from '../../core/errors.js';
import { normalizeRelative } from '../safe-path.js';
import { dockerfileStepRefs } from './dockerfile-refs.js';
import { pipelineGraph, type GraphNode } from './graph.js';
import { invalidBuildFile, parsePipeline, type PipelineSpec } from './schema.js';
import { secretProblems, taintedSteps } from './secrets.js';

export interface PipelinePlan {
  spec: PipelineSpec;
  nodes: GraphNode[];
  /** Steps each Dockerfile builds FROM. */
  fromRefs: Record<string, string[]>;
  /** Steps whose images carry a secret in their history: never kept. */
  tainted: Set<string>;
}

export interface PlanInput {
  file: string;
  text: string;
  /** Files of the source (relative paths). */
  files: Set<string>;
  readFile: (path: string) => Promise<string>;
  vars: Record<string, string>;
  secretNames: string[];
}

/** Everything that can be wrong with a pipeline, found before anything builds (one error, every problem). */
export async function planPipeline(input: PlanInput): Promise<PipelinePlan> {
  const spec = parsePipeline(input.text, input.vars, input.file);
  const problems: string[] = [];
  const fromRefs: Record<string, string[]> = {};
  const names = Object.keys(spec.steps);
  for (const [name, step] of Object.entries(spec.steps)) {
    const path = normalizeRelative(step.dockerfile);
    if (!input.files.has(path)) {
      problems.push(`steps.${name}.dockerfile: ${step.dockerfile} is not in the source directory`);
      continue;
    }
    fromRefs[name] = dockerfileStepRefs(await input.readFile(path), names);
  }
  const graph = pipelineGraph(spec, fromRefs);
  problems.push(...graph.problems);
  if (problems.length === 0) problems.push(...secretProblems(spec, input.secretNames, fromRefs, graph.nodes));
  if (problems.length > 0) {
    const err = invalidBuildFile(input.file, problems);
    const secretOnly = problems.every((p) => /secret/.test(p));
    if (!secretOnly) throw err;
    throw new SlipwayError('INVALID_INPUT', err.message, {
      hint: 'match --secret flags to the secrets the steps list; nothing was built',
      ...(err.details ? { details: err.details } : {}),
    });
  }
  return { spec, nodes: graph.nodes, fromRefs, tainted: taintedSteps(spec, fromRefs, graph.nodes) };
}
