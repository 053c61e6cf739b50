import type { App, AppSettings } from '../../core/types.js';
import { SlipwayError } from '../../core/errors.js';
import { parseAssignments } from '../../config/app-settings.js';
import { flag, requireApp } from '../args.js';
import { table, age } from '../reporter.js';
import type { Command } from '../command.js';

const appPath = (name: string) => `/v1/apps/${encodeURIComponent(name)}`;

export const appsCommands: Command[] = [
  {
    name: 'apps',
    usage: 'apps [--json]',
    summary: 'list apps',
    async run(ctx) {
      const { apps } = await ctx.api().json<{ apps: App[] }>('GET', '/v1/apps');
      if (ctx.json) return ctx.output.out(JSON.stringify(apps, null, 2));
      if (apps.length === 0) return ctx.output.out('no apps yet — create one with `slipway apps:create NAME`');
      ctx.output.out(table(apps.map((a) => ({ name: a.name, release: a.currentRelease ? `v${a.currentRelease}` : '-', age: age(a.createdAt) })), [
        { key: 'name', title: 'name' },
        { key: 'release', title: 'release' },
        { key: 'age', title: 'age' },
      ]));
    },
  },
  {
    name: 'apps:create',
    usage: 'apps:create NAME [--json]',
    summary: 'create an app (answers at NAME.<SLIPWAY_DOMAIN>)',
    async run(ctx) {
      const name = ctx.args.positionals[0] ?? flag(ctx.args, 'app');
      if (!name) throw new SlipwayError('INVALID_INPUT', 'apps:create needs a name', { hint: 'slipway apps:create my-app' });
      const { app } = await ctx.api().json<{ app: App }>('POST', '/v1/apps', { name });
      if (ctx.json) return ctx.output.out(JSON.stringify(app, null, 2));
      ctx.output.out(`created ${app.name}`);
    },
  },
  {
    name: 'apps:destroy',
    usage: 'apps:destroy NAME --confirm NAME',
    summary: 'remove an app, its containers, releases and config',
    async run(ctx) {
      const name = ctx.args.positionals[0] ?? flag(ctx.args, 'app');
      if (!name) throw new SlipwayError('INVALID_INPUT', 'apps:destroy needs a name', { hint: 'slipway apps:destroy my-app --confirm my-app' });
      const confirm = flag(ctx.args, 'confirm');
      const query = confirm === undefined ? '' : `?confirm=${encodeURIComponent(confirm)}`;
      const result = await ctx.api().json<{ removedContainers: number; removedImages: number }>('DELETE', appPath(name) + query);
      if (ctx.json) return ctx.output.out(JSON.stringify(result));
      ctx.output.out(`destroyed ${name} (${result.removedContainers} container(s) and ${result.removedImages} image(s) removed)`);
    },
  },
  {
    name: 'apps:settings',
    usage: 'apps:settings -a APP [--json]',
    summary: 'show port, health check, drain and stop settings',
    async run(ctx) {
      const { settings } = await ctx.api().json<{ settings: AppSettings }>('GET', appPath(requireApp(ctx.args)) + '/settings');
      if (ctx.json) return ctx.output.out(JSON.stringify(settings, null, 2));
      printSettings(ctx.output.out, settings);
    },
  },
  {
    name: 'apps:settings:set',
    usage: 'apps:settings:set -a APP KEY=VALUE… (port, healthcheck.path, healthcheck.attempts, healthcheck.interval, healthcheck.timeout, drain.timeout, stop.grace, deploy.strategy, bluegreen.window)',
    summary: 'change settings (used by the next deploy)',
    async run(ctx) {
      const set = parseAssignments(ctx.args.positionals, 'apps:settings:set -a APP');
      const { settings } = await ctx.api().json<{ settings: AppSettings }>('PATCH', appPath(requireApp(ctx.args)) + '/settings', { set });
      if (ctx.json) return ctx.output.out(JSON.stringify(settings, null, 2));
      printSettings(ctx.output.out, settings);
    },
  },
];

function printSettings(out: (s: string) => void, s: AppSettings): void {
  out(`port                  ${s.port}`);
  out(`healthcheck.path      ${s.healthcheck.path ?? '(TCP connect)'}`);
  out(`healthcheck.attempts  ${s.healthcheck.attempts}`);
  out(`healthcheck.interval  ${s.healthcheck.intervalMs} ms`);
  out(`healthcheck.timeout   ${s.healthcheck.timeoutMs} ms`);
  out(`drain.timeout         ${s.drainTimeoutMs} ms`);
  out(`stop.grace            ${s.stopGraceSec} s`);
  out(`deploy.strategy       ${s.strategy}`);
  out(`bluegreen.window      ${s.warmWindowMs} ms`);
}
