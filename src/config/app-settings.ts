import { z } from 'zod';
import { SlipwayError } from '../core/errors.js';
import { isValidProcessType } from '../core/names.js';
import type { AppSettings, ResourceLimits, RestartMode } from '../core/types.js';
import { applyBuildSetting, BUILD_SETTING_NAMES, buildSettingsSchema } from './build-settings.js';
import { applyPlacement, placementSchema } from '../nodes/placement.js';
import {
  byteSizeSchema,
  cpusSchema,
  durationSchema,
  healthcheckPathSchema,
  portSchema,
  wholeNumberSchema,
} from './value-schemas.js';

/**
 * App settings: one schema per setting, used by `apps:settings:set` (the API), by slipway.yml (through
 * the same value schemas), when a stored value is read back, and — through healthcheckPathSchema — by
 * the HAProxy config writer. A value is validated before it is saved.
 */

/** A branch name git accepts and that cannot be read as an option or a path trick. */
const gitBranchSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._/-]{0,99}$/, 'must be a branch name (letters, digits, ".", "_", "-", "/")')
  .refine((b) => !b.includes('..') && !b.includes('//') && !b.endsWith('/') && !b.endsWith('.lock'), {
    message: 'must be a branch name git accepts',
  });

const MEMORY = byteSizeSchema(6 * 1024 * 1024, 1024 ** 4);
const PIDS = wholeNumberSchema(16, 1_000_000);
const CPUS = cpusSchema(0.01, 1024);

interface SettingSpec {
  path: readonly string[];
  schema: z.ZodType<unknown, unknown>;
  hint: string;
}

/** Settings a user may change with `slipway apps:settings:set KEY=VALUE`, by dotted key. */
const SETTING_KEYS: Record<string, SettingSpec> = {
  port: {
    path: ['port'],
    schema: z.union([z.string().regex(/^\d+$/, 'must be a number').transform(Number), z.number()]).pipe(portSchema),
    hint: 'the port your web process listens on ($PORT), 1-65535',
  },
  'healthcheck.path': {
    path: ['healthcheck', 'path'],
    schema: healthcheckPathSchema,
    hint: 'e.g. healthcheck.path=/healthz (an empty value = TCP check)',
  },
  'healthcheck.attempts': {
    path: ['healthcheck', 'attempts'],
    schema: wholeNumberSchema(1, 1000),
    hint: 'how many probes a new container gets, 1-1000',
  },
  'healthcheck.interval': {
    path: ['healthcheck', 'intervalMs'],
    schema: durationSchema('ms', 50, 60_000),
    hint: 'e.g. 250ms or 1s (a bare number is milliseconds)',
  },
  'healthcheck.timeout': {
    path: ['healthcheck', 'timeoutMs'],
    schema: durationSchema('ms', 50, 60_000),
    hint: 'e.g. 2s (a bare number is milliseconds)',
  },
  'drain.timeout': {
    path: ['drainTimeoutMs'],
    schema: durationSchema('ms', 0, 3_600_000),
    hint: 'e.g. 30s (a bare number is milliseconds)',
  },
  'stop.grace': {
    path: ['stopGraceSec'],
    schema: durationSchema('s', 0, 3_600_000).transform((ms) => Math.ceil(ms / 1000)),
    hint: 'e.g. 30s (a bare number is seconds)',
  },
  'deploy.strategy': { path: ['strategy'], schema: z.enum(['rolling', 'blue-green']), hint: 'rolling or blue-green' },
  'bluegreen.window': {
    path: ['warmWindowMs'],
    schema: durationSchema('ms', 0, 7 * 86_400_000),
    hint: 'e.g. 5m or 1h (a bare number is milliseconds)',
  },
  'logs.max-size': {
    path: ['logs', 'maxSizeBytes'],
    schema: byteSizeSchema(64 * 1024, 10 * 1024 ** 3),
    hint: 'size of one container log file before it rotates, e.g. 10m',
  },
  'git.branch': {
    path: ['git', 'branch'],
    schema: gitBranchSchema,
    hint: 'the branch whose pushes deploy, e.g. git.branch=main (default main)',
  },
  'logs.max-files': {
    path: ['logs', 'maxFiles'],
    schema: wholeNumberSchema(1, 100),
    hint: 'rotated container log files kept, 1-100',
  },
};

const RESOURCE_FIELDS: Record<
  string,
  { field: keyof ResourceLimits; schema: z.ZodType<unknown, unknown>; hint: string }
> = {
  memory: { field: 'memoryBytes', schema: MEMORY, hint: 'memory limit, e.g. 256m or 1g (at least 6m)' },
  pids: { field: 'pids', schema: PIDS, hint: 'maximum processes and threads, e.g. 512' },
  cpu: { field: 'cpus', schema: CPUS, hint: 'CPUs, e.g. 0.5 or 2' },
};

export const SETTING_NAMES = [
  ...Object.keys(SETTING_KEYS),
  'resources.memory|pids|cpu',
  'resources.TYPE.memory|pids|cpu',
  'restart',
  'restart.TYPE',
  'placement',
  'placement.TYPE',
  ...BUILD_SETTING_NAMES,
];

const RESTART_MODES = ['always', 'on-failure', 'never'] as const satisfies readonly RestartMode[];
const restartModeSchema = z.enum(RESTART_MODES);
const RESTART_HINT =
  'always (restart on any exit, the default), on-failure (only after a non-zero exit) or never; ' +
  'e.g. restart.worker=on-failure, or restart=never for every type';

function invalid(key: string, reason: string, raw: string, hint: string): SlipwayError {
  // Values are settings, not secrets; still, a huge one is cut in the message.
  const shown = raw.length > 80 ? `${JSON.stringify(raw.slice(0, 80))}…` : JSON.stringify(raw);
  return new SlipwayError('INVALID_INPUT', `${key}: ${reason} (got ${shown})`, { hint });
}

/** `resources.memory` (every type) or `resources.web.memory` (one type) → where it goes. */
function resourceKey(key: string): { type: string; spec: (typeof RESOURCE_FIELDS)[string] } | undefined {
  const parts = key.split('.');
  if (parts[0] !== 'resources' || (parts.length !== 2 && parts.length !== 3)) return undefined;
  const field = parts[parts.length - 1]!;
  if (!Object.hasOwn(RESOURCE_FIELDS, field)) return undefined;
  const type = parts.length === 3 ? parts[1]! : '*';
  if (type !== '*' && !isValidProcessType(type)) {
    throw new SlipwayError('INVALID_INPUT', `${key}: ${JSON.stringify(type)} is not a process type name`, {
      hint:
        'process types are lowercase letters, digits, "_" or "-", ' +
        'starting with a letter (e.g. resources.web.memory=1g)',
    });
  }
  return { type, spec: RESOURCE_FIELDS[field]! };
}

/** `restart` (every type) or `restart.worker` (one type) → the process type it sets (`*` = every type). */
function restartKey(key: string): string | undefined {
  if (key === 'restart') return '*';
  if (!key.startsWith('restart.')) return undefined;
  const type = key.slice('restart.'.length);
  if (!isValidProcessType(type)) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `${key.slice(0, 80)}: ${JSON.stringify(type.slice(0, 40))} is not a process type name`,
      {
        hint:
          'process types are lowercase letters, digits, "_" or "-", starting with a letter ' +
          '(e.g. restart.web=always)',
      },
    );
  }
  return type;
}

/** Sets (or, with an empty value, removes) the restart mode of one type. */
function applyRestart(next: AppSettings, key: string, type: string, raw: string): void {
  if (raw === '') {
    delete next.restart[type];
    return;
  }
  const parsed = restartModeSchema.safeParse(raw);
  if (!parsed.success) throw invalid(key, `must be ${RESTART_MODES.join(', ')}`, raw, RESTART_HINT);
  next.restart[type] = parsed.data;
}

/** Applies `key=value` changes to settings (pure). An empty value removes an optional setting. */
export function applySettingChanges(settings: AppSettings, changes: Record<string, string>): AppSettings {
  const next: AppSettings = structuredClone(settings);
  for (const [key, raw] of Object.entries(changes)) {
    if (typeof raw !== 'string')
      throw new SlipwayError('INVALID_INPUT', `${key}: the value must be a string`, {
        hint: 'e.g. apps:settings:set -a APP port=8080',
      });
    const resource = resourceKey(key);
    if (resource) {
      const limits = { ...(Object.hasOwn(next.resources, resource.type) ? next.resources[resource.type] : {}) };
      if (raw === '') delete limits[resource.spec.field];
      else {
        const parsed = resource.spec.schema.safeParse(raw);
        if (!parsed.success)
          throw invalid(key, parsed.error.issues[0]?.message ?? 'invalid value', raw, resource.spec.hint);
        limits[resource.spec.field] = parsed.data as number;
      }
      if (Object.keys(limits).length === 0) delete next.resources[resource.type];
      else next.resources[resource.type] = limits;
      continue;
    }
    const restartType = restartKey(key);
    if (restartType !== undefined) {
      applyRestart(next, key, restartType, raw);
      continue;
    }
    if (applyPlacement(next, key, raw)) continue;
    if (applyBuildSetting(next, key, raw)) continue;
    if (!Object.hasOwn(SETTING_KEYS, key)) {
      throw new SlipwayError('INVALID_INPUT', `unknown setting ${JSON.stringify(key.slice(0, 80))}`, {
        hint: `known settings: ${SETTING_NAMES.join(', ')}`,
      });
    }
    const spec = SETTING_KEYS[key]!;
    if (key === 'healthcheck.path' && raw === '') {
      delete next.healthcheck.path;
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) throw invalid(key, parsed.error.issues[0]?.message ?? 'invalid value', raw, spec.hint);
    setPath(next as unknown as Record<string, unknown>, spec.path, parsed.data);
  }
  assertValidSettings(next);
  return next;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    // An optional group (git) is made on its first setting.
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

const ms = (min: number, max: number) => z.number().int().min(min).max(max);
const resourceLimitsSchema = z.strictObject({
  memoryBytes: z
    .number()
    .int()
    .min(6 * 1024 * 1024)
    .max(1024 ** 4)
    .optional(),
  pids: z.number().int().min(16).max(1_000_000).optional(),
  cpus: z.number().min(0.01).max(1024).optional(),
});

/** The whole settings object as stored: what every reader may rely on. */
export const appSettingsSchema = z.strictObject({
  port: portSchema,
  healthcheck: z.strictObject({
    path: healthcheckPathSchema.optional(),
    attempts: z.number().int().min(1).max(1000),
    intervalMs: ms(50, 600_000),
    timeoutMs: ms(50, 600_000),
  }),
  drainTimeoutMs: ms(0, 3_600_000),
  stopGraceSec: z.number().int().min(0).max(3600),
  strategy: z.enum(['rolling', 'blue-green']),
  warmWindowMs: ms(0, 7 * 86_400_000),
  logs: z.strictObject({
    maxSizeBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .max(10 * 1024 ** 3),
    maxFiles: z.number().int().min(1).max(100),
  }),
  resources: z.record(
    z.string().refine((t) => t === '*' || isValidProcessType(t), 'a process type name or "*"'),
    resourceLimitsSchema,
  ),
  restart: z.record(
    z.string().refine((t) => t === '*' || isValidProcessType(t), 'a process type name or "*"'),
    restartModeSchema,
  ),
  placement: placementSchema.optional(),
  build: buildSettingsSchema.optional(),
  git: z.strictObject({ branch: gitBranchSchema }).optional(),
});

/** Problems of a settings object (empty when valid), each with its dotted path. */
export function settingsProblems(settings: unknown): string[] {
  const parsed = appSettingsSchema.safeParse(settings);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'settings'}: ${i.message}`);
}

/** Refuses settings that would not be valid when read back (checked before every save). */
export function assertValidSettings(settings: AppSettings): void {
  const problems = settingsProblems(settings);
  if (problems.length > 0) {
    throw new SlipwayError('INVALID_INPUT', `invalid settings: ${problems.join('; ')}`, {
      hint:
        'see `slipway apps:settings -a APP` for the current ' +
        'values and `slipway help apps:settings:set` for the keys',
    });
  }
}

/** Parses `K=V` words (used by config:set and settings:set). */
export function parseAssignments(words: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, word] of words.entries()) {
    const eq = word.indexOf('=');
    if (eq <= 0) {
      // The word itself is not echoed: it may be a secret typed without its name.
      throw new SlipwayError('INVALID_INPUT', `argument ${i + 1} is not of the form KEY=VALUE`, {
        hint: `e.g. slipway ${what} KEY=value`,
      });
    }
    // An own property even for a key like "__proto__" (never the prototype setter).
    Object.defineProperty(out, word.slice(0, eq), {
      value: word.slice(eq + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (Object.keys(out).length === 0)
    throw new SlipwayError('INVALID_INPUT', 'nothing to set', { hint: `e.g. slipway ${what} KEY=value` });
  return out;
}
