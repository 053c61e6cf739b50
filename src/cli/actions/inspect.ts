import { SlipwayError } from '../../core/errors.js';
import { requireApp } from '../args.js';
import type { BuildGrid } from '../../image-build/build-grid.js';
import type { CommandRuns } from '../command.js';

export const runs = {
  async inspect(ctx) {
    const app = requireApp(ctx.args);
    const target = ctx.args.positionals[0];
    if (!target)
      throw new SlipwayError('INVALID_INPUT', 'inspect what?', {
        hint: `a container id from \`slipway ps -a ${app}\`, or a release such as v3`,
      });
    const { grid } = await ctx
      .api()
      .json<{ grid: BuildGrid }>('GET', `/v1/apps/${encodeURIComponent(app)}/inspect/${encodeURIComponent(target)}`);
    if (ctx.json) return ctx.output.out(JSON.stringify(grid, null, 2));
    const out = (k: string, v: string) => ctx.output.out(`${k.padEnd(10)} ${v}`);
    if (grid.container)
      out('container', `${grid.container.id.slice(0, 12)} ${grid.container.name} (${grid.container.state})`);
    out(
      'release',
      `v${grid.release.version} ${grid.release.current ? 'current' : grid.release.status} — ` +
        grid.release.description,
    );
    out(
      'build',
      grid.record
        ? `${grid.record.id} (${grid.record.strategy ?? '?'}, by ${grid.record.startedBy}, ${grid.record.startedAt})`
        : `#${grid.build.id} (${JSON.stringify(grid.build.source)})`,
    );
    out('image', `${grid.build.imageRef} ${grid.image.id.slice(0, 19)}${grid.image.exists ? '' : ' (pruned)'}`);
    if (grid.commit)
      out(
        'commit',
        `${grid.commit}${grid.branch ? ` (${grid.branch})` : ''}${grid.dirty ? ' + uncommitted changes' : ''}`,
      );
    else out('commit', grid.contentHash ? `none (not a git checkout); content ${grid.contentHash}` : 'unknown');
  },
} satisfies CommandRuns;
