import { createHash } from 'node:crypto';
import { parseRuntime } from '../analyze/build-options.js';
import { safeRelative } from '../analyze/read-source.js';
import { baseImageSchema } from '../config/build-settings.js';
import { SlipwayError } from '../core/errors.js';
import type { BuildSettings } from '../core/types.js';
import type { Store } from '../store/store.js';

/**
 * Build options of a source build: the ones given now (`deploy DIR --runtime …`) over the ones the
 * app remembers from earlier deploys (settings `build.*`, the CA certificate in the store). After a
 * successful build the given ones are remembered, so the next `deploy DIR` needs no flags.
 */
export interface BuildOptionsInput {
  runtime?: string;
  baseImage?: string;
  path?: string;
  /** PEM text of the CA certificate uploaded with this build. */
  caCert?: string;
}

export interface EffectiveBuildOptions extends BuildOptionsInput {
  /** Which options came from the app's memory rather than this build's flags (for the build log). */
  remembered: Array<keyof BuildOptionsInput>;
}

/** The values of the given options, checked with the schemas that will remember them (before anything builds). */
export function checkBuildOptionValues(given: BuildOptionsInput): void {
  if (given.runtime !== undefined) parseRuntime(given.runtime);
  if (given.path !== undefined) safeRelative(given.path);
  if (given.baseImage !== undefined) {
    const parsed = baseImageSchema.safeParse(given.baseImage);
    if (!parsed.success)
      throw new SlipwayError('INVALID_INPUT', `--base-image: ${parsed.error.issues[0]?.message}`, {
        hint: 'e.g. --base-image registry.local/node:22',
      });
  }
}

export function effectiveBuildOptions(store: Store, app: string, given: BuildOptionsInput): EffectiveBuildOptions {
  checkBuildOptionValues(given);
  const saved = store.apps.get(app).settings.build ?? {};
  const out: EffectiveBuildOptions = { ...given, remembered: [] };
  for (const key of ['runtime', 'baseImage', 'path'] as const) {
    const value = saved[key];
    if (given[key] === undefined && value !== undefined) {
      out[key] = value;
      out.remembered.push(key);
    }
  }
  if (given.caCert === undefined && saved.caCert) {
    const stored = store.buildCa.get(app);
    // The fingerprint in the settings names the certificate; a mismatch (forgotten, replaced) is not used.
    if (stored && stored.sha256 === saved.caCert.sha256) {
      out.caCert = stored.pem;
      out.remembered.push('caCert');
    }
  }
  return out;
}

/** A line for the build log naming the remembered options and how to forget them. */
export function rememberedNote(options: EffectiveBuildOptions): string | undefined {
  if (options.remembered.length === 0) return undefined;
  const keys: Record<keyof BuildOptionsInput, string> = {
    runtime: `runtime ${options.runtime}`,
    baseImage: `base image ${options.baseImage}`,
    path: `path ${options.path}`,
    caCert: 'the extra CA certificate',
  };
  const settings: Record<keyof BuildOptionsInput, string> = {
    runtime: 'build.runtime',
    baseImage: 'build.base-image',
    path: 'build.path',
    caCert: 'build.ca-cert',
  };
  const forget = options.remembered.map((k) => `${settings[k]}=`).join(' ');
  return (
    `build options remembered from an earlier deploy: ${options.remembered.map((k) => keys[k]).join(', ')} ` +
    `(a flag overrides; \`slipway apps:settings:set -a APP ${forget}\` forgets)`
  );
}

/**
 * The settings that remember this build's options (the given ones over the saved ones); stores an
 * uploaded CA certificate. Called after the build succeeded.
 */
export function rememberBuildOptions(store: Store, app: string, given: BuildOptionsInput, now: Date): BuildSettings {
  const saved = store.apps.get(app).settings.build ?? {};
  const next: BuildSettings = { ...saved };
  if (given.runtime === 'official' || given.runtime === 'debian') next.runtime = given.runtime;
  if (given.baseImage !== undefined) next.baseImage = given.baseImage;
  if (given.path !== undefined) next.path = given.path;
  if (given.caCert !== undefined) {
    const sha256 = createHash('sha256').update(given.caCert).digest('hex');
    store.buildCa.put(app, { pem: given.caCert, sha256 }, now.toISOString());
    next.caCert = {
      sha256,
      certificates: given.caCert.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0,
      bytes: Buffer.byteLength(given.caCert),
    };
  }
  store.apps.updateSettings(app, { ...store.apps.get(app).settings, build: next });
  return next;
}
