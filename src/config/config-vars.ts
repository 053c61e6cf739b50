import { SlipwayError } from '../core/errors.js';
import { validateConfigKey } from '../core/names.js';

/**
 * Limits of an app's config vars. Each becomes one environment string of every container, and Linux
 * refuses a single one over 128 KiB (MAX_ARG_STRLEN) and all of them together over a fraction of the
 * stack: a 200 KB value made containers unstartable. Heroku allows 64 KB per app in all.
 */
export const CONFIG_VALUE_MAX_BYTES = 64 * 1024;
export const CONFIG_TOTAL_MAX_BYTES = 256 * 1024;
export const CONFIG_KEY_MAX = 255;

const size = (key: string, value: string) => Buffer.byteLength(key) + Buffer.byteLength(value) + 2;

/** Validates a config change and returns the config it makes (pure). Values are never quoted in errors. */
export function applyConfigChange(
  before: Record<string, string>,
  set: Record<string, unknown>,
  unset: string[],
): Record<string, string> {
  for (const key of [...Object.keys(set), ...unset]) {
    if (key.length > CONFIG_KEY_MAX)
      throw new SlipwayError('INVALID_INPUT', `a config var name is longer than ${CONFIG_KEY_MAX} characters`, {
        hint: 'use a shorter name, e.g. DATABASE_URL',
      });
    validateConfigKey(key);
  }
  const next: Record<string, string> = { ...before };
  for (const [key, value] of Object.entries(set)) {
    if (typeof value !== 'string')
      throw new SlipwayError('INVALID_INPUT', `${key}: a config value must be a string`, {
        hint: 'slipway config:set -a APP KEY=value',
      });
    if (value.includes('\0'))
      throw new SlipwayError('INVALID_INPUT', `${key}: a config value cannot contain a NUL byte`, {
        hint: 'environment variables are C strings; encode binary data (e.g. base64) first',
      });
    if (Buffer.byteLength(value) > CONFIG_VALUE_MAX_BYTES) {
      throw new SlipwayError(
        'INVALID_INPUT',
        `${key}: the value is ${Buffer.byteLength(value)} bytes; ` +
          `a config value may be at most ${CONFIG_VALUE_MAX_BYTES / 1024} KiB`,
        {
          hint:
            'keep large data (certificates bundles, files) ' +
            'in the image or a volume and put its path in the config var',
        },
      );
    }
    Object.defineProperty(next, key, { value, enumerable: true, writable: true, configurable: true });
  }
  for (const key of unset) delete next[key];
  const total = Object.entries(next).reduce((n, [k, v]) => n + size(k, v), 0);
  if (total > CONFIG_TOTAL_MAX_BYTES) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `the app's config would be ${total} bytes; all config vars together may ` +
        `be at most ${CONFIG_TOTAL_MAX_BYTES / 1024} KiB`,
      {
        hint: 'unset vars you no longer need, or move large values out of the environment',
      },
    );
  }
  return next;
}
