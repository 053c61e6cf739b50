import { z } from 'zod';

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

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration: `500ms`, `30s`, `5m`, `1h`, `1d`, or a bare whole number in `bareUnit`. Returns
 * milliseconds, or undefined when the text is not a duration.
 */
export function parseDuration(text: string, bareUnit: 'ms' | 's'): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]) * UNITS_MS[match[2] ?? bareUnit]!;
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

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

export function formatMs(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const UNITS_BYTES: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/**
 * `512m`, `1g`, `256MiB`, `1048576` (bytes) → bytes (binary units, as Docker reads them); undefined when not a size.
 */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = UNITS_BYTES[match[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['g', 1024 ** 3],
    ['m', 1024 ** 2],
    ['k', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)}m`;
  return `${bytes}b`;
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
