import { z } from 'zod';
import { SlipwayError } from '../core/errors.js';
import type { AppSettings, BuildSettings } from '../core/types.js';
import { relativePathProblem } from '../image-build/safe-path.js';

/**
 * The `build.*` app settings: the build options of a source deploy (`--runtime`, `--base-image`,
 * `--path`, `--ca-cert`), remembered per app so the next `deploy DIR` needs no flags. One schema per
 * value, shared with slipway.yml `build:`; the CA certificate itself lives in the store (only its
 * fingerprint is a setting) and is set by `deploy --ca-cert FILE`.
 */

/** An image reference as a FROM line takes it: `name[:tag][@digest]`, optionally with a registry; no spaces. */
export const baseImageSchema = z
  .string()
  .max(255, 'at most 255 characters')
  .regex(
    /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
    'must be an image reference such as registry.local/node:22 (lowercase name, optional :tag or @sha256:digest)',
  );

export const runtimeSchema = z.enum(['official', 'debian']);

const pathSchema = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    const problem = relativePathProblem(path);
    if (problem)
      ctx.addIssue({ code: 'custom', message: `must be a path inside the deployed directory (it ${problem})` });
  });

export const buildSettingsSchema = z.strictObject({
  runtime: runtimeSchema.optional(),
  baseImage: baseImageSchema.optional(),
  path: pathSchema.optional(),
  caCert: z
    .strictObject({
      sha256: z.string().regex(/^[a-f0-9]{64}$/),
      certificates: z.number().int().min(1),
      bytes: z.number().int().min(1),
    })
    .optional(),
});

const KEYS: Record<string, { field: keyof BuildSettings; schema: z.ZodType<unknown, unknown>; hint: string }> = {
  'build.runtime': {
    field: 'runtime',
    schema: runtimeSchema,
    hint: "official (the language's images) or debian (Debian's packages); empty = the default (official)",
  },
  'build.base-image': {
    field: 'baseImage',
    schema: baseImageSchema,
    hint: 'e.g. build.base-image=registry.local/node:22; empty = the runtime’s own image',
  },
  'build.path': {
    field: 'path',
    schema: pathSchema,
    hint: 'the app inside a monorepo, e.g. build.path=apps/api; empty = the deployed directory itself',
  },
};

export const BUILD_SETTING_NAMES = [...Object.keys(KEYS), 'build.ca-cert'];

/** Applies one `build.*` change to `next` (pure); false when the key is not a build setting. */
export function applyBuildSetting(next: AppSettings, key: string, raw: string): boolean {
  if (key === 'build.ca-cert') {
    if (raw !== '')
      throw new SlipwayError('INVALID_INPUT', 'build.ca-cert: the certificate is set by a deploy, not here', {
        hint: 'pass it once with `slipway deploy -a APP DIR --ca-cert FILE` (remembered); an empty value forgets it',
      });
    if (next.build) delete next.build.caCert;
    tidy(next);
    return true;
  }
  const spec = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
  if (!spec) return false;
  const build: BuildSettings = { ...next.build };
  if (raw === '') delete build[spec.field];
  else {
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      const shown = raw.length > 80 ? `${JSON.stringify(raw.slice(0, 80))}…` : JSON.stringify(raw);
      throw new SlipwayError('INVALID_INPUT', `${key}: ${parsed.error.issues[0]?.message} (got ${shown})`, {
        hint: spec.hint,
      });
    }
    (build as Record<string, unknown>)[spec.field] = parsed.data;
  }
  next.build = build;
  tidy(next);
  return true;
}

/** No empty `build` object is kept. */
function tidy(settings: AppSettings): void {
  if (settings.build && Object.keys(settings.build).length === 0) delete settings.build;
}

/** `apps:settings` rows of the build settings (every key shown, with what an unset one means). */
export function buildSettingRows(build: BuildSettings | undefined): [string, string][] {
  const ca = build?.caCert;
  return [
    ['build.runtime', build?.runtime ?? '(official)'],
    ['build.base-image', build?.baseImage ?? "(the runtime's image)"],
    ['build.path', build?.path ?? '(the deployed directory)'],
    [
      'build.ca-cert',
      ca ? `${ca.certificates} certificate(s), ${ca.bytes} bytes, sha256 ${ca.sha256.slice(0, 16)}…` : '(none)',
    ],
  ];
}
