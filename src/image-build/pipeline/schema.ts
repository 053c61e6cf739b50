import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { SlipwayError } from '../../core/errors.js';
import { formatIssues, MAX_YAML_ALIASES, MAX_YAML_BYTES } from '../../analyze/text.js';
import { relativePathProblem } from '../safe-path.js';
import { SubstitutionError, substituteValues } from './substitute.js';

/** The build.yml format (validated at the boundary, unknown keys rejected with their dotted path). */

export const STEP_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface Artifact {
  /** Absolute path inside the step's image. */
  from: string;
  /** Relative path inside each dependent step's build context. */
  to: string;
}

const hasDotDot = (p: string) => p.split('/').includes('..');

/** "/path/in/image:dest/in/context" */
export function parseArtifact(text: string): Artifact | string {
  const match = /^([^:]+):([^:]+)$/.exec(text);
  if (!match) return 'must be "/path/in/image:dest/in/context"';
  const from = match[1]!.replace(/\/+$/, '');
  const to = match[2]!.replace(/^\.\//, '').replace(/\/+$/, '');
  if (!from.startsWith('/') || from === '')
    return `source ${JSON.stringify(match[1])} must be an absolute path inside the image (e.g. /out/server)`;
  if (hasDotDot(from)) return `source ${JSON.stringify(match[1])} must not contain ".."`;
  if (to.startsWith('/') || to === '' || to === '.')
    return `destination ${JSON.stringify(match[2])} must be a path relative to the build context (e.g. bin/server)`;
  if (hasDotDot(to)) return `destination ${JSON.stringify(match[2])} must stay inside the build context (no "..")`;
  return { from, to };
}

const artifactSchema = z.string().transform((text, ctx) => {
  const parsed = parseArtifact(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** The most steps a build file may have. */
export const MAX_PIPELINE_STEPS = 50;

const dockerfilePath = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    const problem = relativePathProblem(path);
    if (problem)
      ctx.addIssue({ code: 'custom', message: `must be a path inside the source directory (it ${problem})` });
  });

const stepSchema = z.strictObject({
  dockerfile: dockerfilePath.default('Dockerfile'),
  depends_on: z.array(z.string()).default([]),
  artifacts: z.array(artifactSchema).default([]),
  secrets: z
    .array(z.string().regex(SECRET_NAME, 'a secret name is a build argument name (letters, digits, _)'))
    .default([]),
  args: z.record(z.string().regex(SECRET_NAME, 'a build argument name (letters, digits, _)'), scalar).default({}),
});

const pipelineSchema = z.strictObject({
  steps: z
    .record(z.string().regex(STEP_NAME, 'a step name is lowercase letters, digits, ".", "_" or "-"'), stepSchema)
    .refine((steps) => Object.keys(steps).length > 0, 'at least one step is needed'),
  final: z.string().optional(),
});

export type StepSpec = z.output<typeof stepSchema>;
export interface PipelineSpec {
  steps: Record<string, StepSpec>;
  final: string;
}

export function invalidBuildFile(file: string, problems: string[]): SlipwayError {
  return new SlipwayError('INVALID_INPUT', `${file} is invalid: ${problems.join('; ')}`, {
    hint: 'fix the build file (format: see "build.yml" in the README); nothing was built',
    details: { file, problems },
  });
}

/** Parses, substitutes and validates build.yml text (no graph checks: see graph.ts). */
export function parsePipeline(
  text: string,
  vars: Record<string, string>,
  file = 'build.yml',
  maxSteps = MAX_PIPELINE_STEPS,
): PipelineSpec {
  if (Buffer.byteLength(text) > MAX_YAML_BYTES)
    throw invalidBuildFile(file, [`larger than ${MAX_YAML_BYTES / 1024} KiB`]);
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw invalidBuildFile(
      file,
      doc.errors.map((e) => `line ${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    // A "billion laughs" document: aliases expanding exponentially.
    throw new SlipwayError(
      'INVALID_INPUT',
      `${file} is invalid: it uses YAML aliases too much (more than ${MAX_YAML_ALIASES} expansions)`,
      {
        hint: 'write the values out instead of repeating anchors (*alias); nothing was built',
        cause: err,
        details: { file },
      },
    );
  }
  const stepMap = (value as { steps?: unknown } | null)?.steps;
  if (stepMap && typeof stepMap === 'object' && Object.keys(stepMap).length > maxSteps) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `${file} is invalid: steps: ${Object.keys(stepMap).length} steps, more than the limit of ${maxSteps}`,
      {
        hint: `merge steps (a build file may have at most ${maxSteps}); nothing was built`,
        details: { file, limit: maxSteps },
      },
    );
  }
  let raw: unknown;
  try {
    raw = substituteValues(value ?? {}, vars);
  } catch (err) {
    if (err instanceof SubstitutionError) {
      throw new SlipwayError('INVALID_INPUT', `${file} is invalid: ${err.message}`, {
        hint:
          `set ${err.variable} in the environment of the slipway command or pass ` +
          `--env ${err.variable}=VALUE (or write \${${err.variable}:-default})`,
      });
    }
    throw err;
  }
  const result = pipelineSchema.safeParse(raw);
  if (!result.success) throw invalidBuildFile(file, [formatIssues(result.error.issues)]);
  const { steps, final } = result.data;
  const names = Object.keys(steps);
  if (final === undefined && names.length > 1)
    throw invalidBuildFile(file, [
      'final: required when there is more than one step (the step whose image is deployed)',
    ]);
  return { steps, final: final ?? names[0]! };
}
