import { z } from 'zod';
import { SlipwayError } from '../core/errors.js';
import type { AppSettings } from '../core/types.js';

/** Settings a user may change with `slipway apps:settings:set KEY=VALUE`, by dotted key. */
const SETTING_KEYS = {
  port: { path: ['port'], schema: z.coerce.number().int().min(1).max(65535) },
  'healthcheck.path': { path: ['healthcheck', 'path'], schema: z.string().regex(/^\/[^\s]*$/, 'must start with "/" and contain no spaces') },
  'healthcheck.attempts': { path: ['healthcheck', 'attempts'], schema: z.coerce.number().int().min(1).max(1000) },
  'healthcheck.interval': { path: ['healthcheck', 'intervalMs'], schema: z.coerce.number().int().min(50).max(60_000) },
  'healthcheck.timeout': { path: ['healthcheck', 'timeoutMs'], schema: z.coerce.number().int().min(50).max(60_000) },
  'drain.timeout': { path: ['drainTimeoutMs'], schema: z.coerce.number().int().min(0).max(3_600_000) },
  'stop.grace': { path: ['stopGraceSec'], schema: z.coerce.number().int().min(0).max(3600) },
  'deploy.strategy': { path: ['strategy'], schema: z.enum(['rolling', 'blue-green']) },
  'bluegreen.window': { path: ['warmWindowMs'], schema: z.coerce.number().int().min(0).max(7 * 24 * 3_600_000) },
} as const;

export type SettingKey = keyof typeof SETTING_KEYS;
export const SETTING_NAMES = Object.keys(SETTING_KEYS) as SettingKey[];

/** Applies `key=value` changes to settings (pure). An empty value for healthcheck.path removes it (TCP check). */
export function applySettingChanges(settings: AppSettings, changes: Record<string, string>): AppSettings {
  const next: AppSettings = structuredClone(settings);
  for (const [key, raw] of Object.entries(changes)) {
    const spec = (SETTING_KEYS as Record<string, (typeof SETTING_KEYS)[SettingKey]>)[key];
    if (!spec) {
      throw new SlipwayError('INVALID_INPUT', `unknown setting "${key}"`, { hint: `known settings: ${SETTING_NAMES.join(', ')}` });
    }
    if (key === 'healthcheck.path' && raw === '') {
      delete next.healthcheck.path;
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? 'invalid value';
      throw new SlipwayError('INVALID_INPUT', `${key}: ${reason} (got ${JSON.stringify(raw)})`, { hint: settingHint(key as SettingKey) });
    }
    setPath(next as unknown as Record<string, unknown>, spec.path as readonly string[], parsed.data);
  }
  return next;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
}

function settingHint(key: SettingKey): string {
  switch (key) {
    case 'healthcheck.path':
      return 'e.g. healthcheck.path=/healthz (empty value = TCP check)';
    case 'port':
      return 'the port your web process listens on ($PORT), 1-65535';
    default:
      return `${key} takes a whole number (times in milliseconds, stop.grace in seconds)`;
  }
}

/** Parses `K=V` words (used by config:set and settings:set). */
export function parseAssignments(words: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, word] of words.entries()) {
    const eq = word.indexOf('=');
    if (eq <= 0) {
      // The word itself is not echoed: it may be a secret typed without its name.
      throw new SlipwayError('INVALID_INPUT', `argument ${i + 1} is not of the form KEY=VALUE`, { hint: `e.g. slipway ${what} KEY=value` });
    }
    out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  if (Object.keys(out).length === 0) throw new SlipwayError('INVALID_INPUT', 'nothing to set', { hint: `e.g. slipway ${what} KEY=value` });
  return out;
}
