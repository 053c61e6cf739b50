import { resourceLimitsFor, type App, type AppSettings } from '../../core/types.js';
import { formatBytes, formatMs } from '../../config/value-schemas.js';
import { SlipwayError } from '../../core/errors.js';
import { parseAssignments } from '../../config/app-settings.js';
import { buildSettingRows } from '../../config/build-settings.js';
import { flag, requireApp } from '../args.js';
import { table, age } from '../reporter.js';
import type { CommandContext, CommandRuns } from '../command.js';
import { fetchUrls, printUrls } from '../app-urls.js';
import { appInfoLines } from '../app-info-report.js';
import { followOperation } from '../run-stream.js';
import type { AppInfo } from '../../apps/app-info.js';
import type { RenameOutcome } from '../../apps/app-rename.js';
import type { AppUrl } from '../../apps/app-urls.js';

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
  async apps(ctx) {
    const { apps } = await ctx.api().json<{ apps: App[] }>('GET', '/v1/apps');
    if (ctx.json) return ctx.output.out(JSON.stringify(apps, null, 2));
    if (apps.length === 0) return ctx.output.out('no apps yet — create one with `slipway apps:create NAME`');
    ctx.output.out(
      table(
        apps.map((a) => ({
          name: a.name,
          release: a.currentRelease ? `v${a.currentRelease}` : '-',
          age: age(a.createdAt),
        })),
        [
          { key: 'name', title: 'name' },
          { key: 'release', title: 'release' },
          { key: 'age', title: 'age' },
        ],
      ),
    );
  },
  async 'apps:create'(ctx) {
    const name = ctx.args.positionals[0] ?? flag(ctx.args, 'app');
    if (!name)
      throw new SlipwayError('INVALID_INPUT', 'apps:create needs a name', { hint: 'slipway apps:create my-app' });
    const { app } = await ctx.api().json<{ app: App }>('POST', '/v1/apps', { name });
    const urls = await fetchUrls(ctx, app.name);
    if (ctx.json) return ctx.output.out(JSON.stringify({ ...app, urls }, null, 2));
    ctx.output.out(`created ${app.name}; it answers (once deployed) at`);
    await printUrls(ctx, app.name, urls);
  },
  async 'apps:info'(ctx) {
    const name = ctx.args.positionals[0] ?? requireApp(ctx.args);
    const { info } = await ctx.api().json<{ info: AppInfo }>('GET', `${appPath(name)}/info`);
    if (ctx.json) return ctx.output.out(JSON.stringify(info, null, 2));
    for (const line of appInfoLines(info)) ctx.output.out(line);
  },
  async 'apps:rename'(ctx) {
    const [from, to, ...extra] = ctx.args.positionals;
    if (!from || !to || extra.length > 0)
      throw new SlipwayError('INVALID_INPUT', 'apps:rename needs the old and the new name', {
        hint: 'slipway apps:rename OLD NEW',
      });
    const lines = ctx.api().stream('POST', `${appPath(from)}/rename`, {
      type: 'application/json',
      data: JSON.stringify({ name: to }),
    });
    const result = (await followOperation(ctx, lines)) as RenameOutcome & { urls: AppUrl[] };
    if (ctx.json) return;
    ctx.output.out(
      `renamed ${result.from} to ${result.app} in ${(result.ms / 1000).toFixed(2)}s ` +
        `(${result.relabelled} container(s) replaced by ones with the new name); it answers at`,
    );
    await printUrls(ctx, result.app, result.urls);
  },
  async 'apps:destroy'(ctx) {
    const name = ctx.args.positionals[0] ?? flag(ctx.args, 'app');
    if (!name)
      throw new SlipwayError('INVALID_INPUT', 'apps:destroy needs a name', {
        hint: 'slipway apps:destroy my-app --confirm my-app',
      });
    const confirm = flag(ctx.args, 'confirm');
    const query = confirm === undefined ? '' : `?confirm=${encodeURIComponent(confirm)}`;
    const result = await ctx
      .api()
      .json<{ removedContainers: number; removedImages: number }>('DELETE', appPath(name) + query);
    if (ctx.json) return ctx.output.out(JSON.stringify(result));
    ctx.output.out(
      `destroyed ${name} (${result.removedContainers} container(s) and ${result.removedImages} image(s) removed)`,
    );
  },
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
