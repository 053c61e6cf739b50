import { z } from 'zod';
import { SlipwayError } from '../core/errors.js';
import { isValidProcessType } from '../core/names.js';
import { formatIssues, parseYamlManifest } from './text.js';
import { healthcheckPathSchema, portSchema } from '../config/value-schemas.js';
import { baseImageSchema, runtimeSchema } from '../config/build-settings.js';

/** `slipway.yml`: the service definition `slipway init` writes and deploys read. Unknown keys are rejected. */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const healthcheckSchema = z.strictObject({
  /** An empty path is a TCP check. */
  path: z.union([z.literal(''), healthcheckPathSchema]).default('/'),
  attempts: z.number().int().min(1).max(1000).default(30),
  intervalMs: z.number().int().min(100).max(600_000).default(1000),
  timeoutMs: z.number().int().min(100).max(600_000).default(2000),
});

/** The same value schemas as the app's `build.*` settings (config/build-settings.ts). */
export const buildSchema = z.strictObject({
  runtime: runtimeSchema.default('official'),
  baseImage: baseImageSchema.optional(),
  caCert: z
    .string()
    .min(1)
    .refine((f) => !f.startsWith('/') && !f.split('/').includes('..'), 'must be a path inside the build context')
    .optional(),
});

export const slipwayYmlSchema = z.strictObject({
  processes: z
    .record(
      z
        .string()
        .refine(isValidProcessType, 'process types are lowercase letters, digits, "_" or "-", starting with a letter'),
      z.string().trim().min(1, 'command must not be empty'),
    )
    .refine((p) => Object.keys(p).length > 0, 'at least one process type is required'),
  port: portSchema,
  healthcheck: healthcheckSchema.optional(),
  release: z.string().trim().min(1).optional(),
  env: z
    .array(z.string().regex(ENV_NAME, 'env var names are letters, digits and "_", not starting with a digit'))
    .default([]),
  build: buildSchema.optional(),
});

export type SlipwayYml = z.infer<typeof slipwayYmlSchema>;
export type SlipwayYmlInput = z.input<typeof slipwayYmlSchema>;

/** Parses and validates slipway.yml text; errors name the file, the line (YAML syntax) or the dotted path. */
export function parseSlipwayYml(text: string, file = 'slipway.yml'): SlipwayYml {
  // Bounded size and alias expansion (a "billion laughs" slipway.yml is INVALID_INPUT, see text.ts).
  const data = parseYamlManifest(file, text);
  const parsed = slipwayYmlSchema.safeParse(data ?? {});
  if (!parsed.success) {
    throw new SlipwayError('INVALID_INPUT', `${file}: ${formatIssues(parsed.error.issues)}`, {
      hint:
        'allowed keys: processes, port, healthcheck {path, attempts, ' +
        'intervalMs, timeoutMs}, release, env, build {runtime, baseImage, caCert}',
      details: {
        file,
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      },
    });
  }
  return parsed.data;
}
