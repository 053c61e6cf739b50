import type { App } from '../../core/types.js';
import { SlipwayError } from '../../core/errors.js';
import { flag, requireApp } from '../args.js';
import { table, age } from '../reporter.js';
import type { CommandRuns } from '../command.js';
import { fetchUrls, printUrls } from '../app-urls.js';
import { appInfoLines } from '../app-info-report.js';
import { followOperation } from '../run-stream.js';
import type { AppInfo } from '../../apps/app-info.js';
import type { RenameOutcome } from '../../apps/app-rename.js';
import type { AppUrl } from '../../apps/app-urls.js';

const appPath = (name: string) => `/v1/apps/${encodeURIComponent(name)}`;

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
} satisfies CommandRuns;
