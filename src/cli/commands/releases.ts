import type { Release, BuildSource } from '../../core/types.js';
import { requireApp } from '../args.js';
import { table, age } from '../reporter.js';
import { APP, JSON_OUTPUT, type Command } from '../command.js';
import { commitsByRelease } from './builds.js';

type ReleaseRow = Release & { current: boolean; image: string; source: BuildSource };

export const releasesCommand: Command = {
  name: 'releases',
  group: 'deploy',
  options: [APP, JSON_OUTPUT],
  examples: ['slipway releases -a shop'],
  summary: 'list releases (newest first): version, status, image, config names, description',
  async run(ctx) {
    const app = requireApp(ctx.args);
    const { releases } = await ctx
      .api()
      .json<{ releases: ReleaseRow[] }>('GET', `/v1/apps/${encodeURIComponent(app)}/releases`);
    const commits = await commitsByRelease(ctx, app);
    if (ctx.json)
      return ctx.output.out(
        JSON.stringify(
          releases.map((r) => ({ ...r, commit: commits.get(r.version) ?? null })),
          null,
          2,
        ),
      );
    if (releases.length === 0)
      return ctx.output.out(`${app} has no releases yet — deploy with \`slipway deploy -a ${app} DIR\``);
    ctx.output.out(
      table(
        releases.map((r) => ({
          version: `v${r.version}`,
          status: r.current ? 'current' : r.status,
          image: r.image.startsWith('sha256:') ? r.image.slice(7, 19) : r.image,
          commit: commits.get(r.version),
          source: r.source.kind === 'image' ? r.source.image : r.source.description,
          config: r.configKeys,
          by: r.createdBy,
          took: r.deployMs === undefined ? undefined : `${(r.deployMs / 1000).toFixed(1)}s`,
          description: r.description,
          age: age(r.createdAt),
        })),
        [
          { key: 'version', title: 'version' },
          { key: 'status', title: 'status' },
          { key: 'image', title: 'image' },
          { key: 'commit', title: 'commit' },
          { key: 'config', title: 'config' },
          { key: 'by', title: 'by' },
          { key: 'took', title: 'took' },
          { key: 'description', title: 'description' },
          { key: 'age', title: 'age' },
        ],
      ),
    );
  },
};
