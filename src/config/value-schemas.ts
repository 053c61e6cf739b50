import { z } from 'zod';
import { UNITS_MS, formatBytes, formatMs, parseByteSize, parseDuration } from './value-units.js';

/**
 * Value schemas shared by every place a setting can come from (the settings API, slipway.yml) and by
 * every place it goes to (the HAProxy config writer, the container spec): one definition each, so a
 * value one of them accepts is a value all of them accept.
 */

/** What HAProxy's `option httpchk GET <path>` line can carry: no spaces, quotes, `#` or backslashes. */
export const HEALTHCHECK_PATH = /^\/[A-Za-z0-9._~!$&()*+,;=:@%/?-]*$/;
export const HEALTHCHECK_PATH_MAX = 1024;

export const healthcheckPathSchema = z
  .string()
  .max(HEALTHCHECK_PATH_MAX, `at most ${HEALTHCHECK_PATH_MAX} characters`)
  .regex(/^\//, 'must start with "/"')
  .regex(HEALTHCHECK_PATH, 'may contain only letters, digits and URL characters (no spaces, quotes, "#" or "\\")');

export const portSchema = z.number().int().min(1).max(65535);

/** A duration setting in ms (given with a unit, or bare in `bareUnit`), within [minMs, maxMs]. */
export function durationSchema(bareUnit: 'ms' | 's', minMs: number, maxMs: number) {
  return z.union([z.string(), z.number()]).transform((raw, ctx) => {
    const ms = typeof raw === 'number' ? raw * UNITS_MS[bareUnit]! : parseDuration(raw, bareUnit);
    if (ms === undefined || !Number.isInteger(ms)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'not a duration (e.g. 500ms, 30s, 5m, ' +
          `or a whole number of ${bareUnit === 'ms' ? 'milliseconds' : 'seconds'})`,
      });
      return z.NEVER;
    }
    if (ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `must be between ${formatMs(minMs)} and ${formatMs(maxMs)}` });
      return z.NEVER;
    }
    return ms;
  });
}

/** A byte size (with a unit or bare bytes) within [min, max]. */
export function byteSizeSchema(min: number, max: number) {
  return z.union([z.string(), z.number()]).transform((raw, ctx) => {
    const bytes = typeof raw === 'number' ? raw : parseByteSize(raw);
    if (bytes === undefined || !Number.isInteger(bytes)) {
      ctx.addIssue({ code: 'custom', message: 'not a size (e.g. 512m, 1g, 64k)' });
      return z.NEVER;
    }
    if (bytes < min || bytes > max) {
      ctx.addIssue({ code: 'custom', message: `must be between ${formatBytes(min)} and ${formatBytes(max)}` });
      return z.NEVER;
    }
    return bytes;
  });
}

/** A whole number given as text or number, within [min, max]. */
export function wholeNumberSchema(min: number, max: number) {
  return z
    .union([
      z
        .string()
        .regex(/^\s*\d+\s*$/, 'must be a whole number')
        .transform(Number),
      z.number(),
    ])
    .pipe(z.number().int().min(min).max(max));
}

/** CPUs as a decimal (`0.5`, `2`), within [min, max]. */
export function cpusSchema(min: number, max: number) {
  return z
    .union([
      z
        .string()
        .regex(/^\s*\d+(\.\d+)?\s*$/, 'must be a number of CPUs, e.g. 0.5 or 2')
        .transform(Number),
      z.number(),
    ])
    .pipe(z.number().min(min).max(max));
}
