import { resourceLimitsFor, type AppSettings } from '../../core/types.js';
import { formatBytes, formatMs } from '../../config/value-units.js';
import { SlipwayError } from '../../core/errors.js';
import { parseAssignments } from '../../config/app-settings.js';
import { buildSettingRows } from '../../config/build-settings.js';
import { requireApp } from '../args.js';
import type { CommandContext, CommandRuns } from '../command.js';

const appPath = (name: string) => `/v1/apps/${encodeURIComponent(name)}`;

interface SettingsUpdateBody {
  settings: AppSettings;
  resized?: { dyno: string }[];
  notApplied?: { dyno: string; reason: string }[];
}

async function changeSettings(ctx: CommandContext, app: string, set: Record<string, string>): Promise<void> {
  const update = await ctx.api().json<SettingsUpdateBody>('PATCH', appPath(app) + '/settings', { set });
  if (ctx.json) return ctx.output.out(JSON.stringify(update, null, 2));
  printSettings(ctx.output.out, update.settings);
  if (update.resized?.length)
    ctx.output.out(`applied to the running ${update.resized.map((r) => r.dyno).join(', ')} (no restart)`);
  for (const n of update.notApplied ?? []) ctx.output.err(`warning: ${n.dyno}: ${n.reason}`);
}

function printSettings(out: (s: string) => void, s: AppSettings, only?: 'resources'): void {
  const rows: [string, string][] = only
    ? []
    : [
        ['port', String(s.port)],
        ['healthcheck.path', s.healthcheck.path ?? '(TCP connect)'],
        ['healthcheck.attempts', String(s.healthcheck.attempts)],
        ['healthcheck.interval', formatMs(s.healthcheck.intervalMs)],
        ['healthcheck.timeout', formatMs(s.healthcheck.timeoutMs)],
        ['drain.timeout', formatMs(s.drainTimeoutMs)],
        ['stop.grace', `${s.stopGraceSec}s`],
        ['deploy.strategy', s.strategy],
        ['bluegreen.window', formatMs(s.warmWindowMs)],
        ['logs.max-size', formatBytes(s.logs.maxSizeBytes)],
        ['logs.max-files', String(s.logs.maxFiles)],
        ...buildSettingRows(s.build),
      ];
  const types = Object.keys(s.resources)
    .filter((t) => t !== '*')
    .sort();
  for (const type of ['*', ...types]) {
    const limits = resourceLimitsFor(s, type);
    const prefix = type === '*' ? 'resources' : `resources.${type}`;
    rows.push(
      [`${prefix}.memory`, formatBytes(limits.memoryBytes!)],
      [`${prefix}.pids`, String(limits.pids)],
      [`${prefix}.cpu`, limits.cpus === undefined ? '(no limit)' : String(limits.cpus)],
    );
  }
  if (!only) {
    const restart = s.restart ?? {};
    rows.push(['restart', restart['*'] ?? 'always']);
    for (const type of Object.keys(restart)
      .filter((t) => t !== '*')
      .sort())
      rows.push([`restart.${type}`, restart[type]!]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, value] of rows) out(`${key.padEnd(width)}  ${value}`);
}

export const runs = {
  async 'apps:settings'(ctx) {
    const { settings } = await ctx
      .api()
      .json<{ settings: AppSettings }>('GET', appPath(requireApp(ctx.args)) + '/settings');
    if (ctx.json) return ctx.output.out(JSON.stringify(settings, null, 2));
    printSettings(ctx.output.out, settings);
  },
  async 'apps:settings:set'(ctx) {
    const set = parseAssignments(ctx.args.positionals, 'apps:settings:set -a APP');
    await changeSettings(ctx, requireApp(ctx.args), set);
  },
  async 'ps:resize'(ctx) {
    const app = requireApp(ctx.args);
    const [type, ...words] = ctx.args.positionals;
    if (type === undefined) {
      const { settings } = await ctx.api().json<{ settings: AppSettings }>('GET', appPath(app) + '/settings');
      if (ctx.json) return ctx.output.out(JSON.stringify(settings.resources, null, 2));
      return printSettings(ctx.output.out, settings, 'resources');
    }
    if (words.length === 0)
      throw new SlipwayError('INVALID_INPUT', `what should ${type} get?`, {
        hint: `slipway ps:resize -a ${app} ${type} memory=1g cpu=1 pids=512`,
      });
    const set: Record<string, string> = {};
    for (const [field, value] of Object.entries(parseAssignments(words, `ps:resize -a ${app} ${type}`))) {
      if (!['memory', 'cpu', 'pids'].includes(field))
        throw new SlipwayError('INVALID_INPUT', `unknown limit ${JSON.stringify(field)}`, {
          hint: 'limits are memory=SIZE (e.g. 512m, 1g), cpu=N (e.g. 0.5), pids=N',
        });
      set[type === '*' ? `resources.${field}` : `resources.${type}.${field}`] = value;
    }
    await changeSettings(ctx, app, set);
  },
} satisfies CommandRuns;
