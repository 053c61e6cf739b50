import type { Release, BuildSource } from '../../core/types.js';
import { flag, parseReleaseVersion, requireApp } from '../args.js';
import type { ReleaseInfo } from '../../apps/release-info.js';
import { SlipwayError } from '../../core/errors.js';
import { table, age } from '../reporter.js';
import { commitsByRelease, describeSource } from './builds.js';
import type { CommandRuns } from '../command.js';

type ReleaseRow = Release & { current: boolean; image: string; source: BuildSource };

/** `-n N`: a whole number of releases (1 or more). */
function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1)
    throw new SlipwayError('INVALID_INPUT', `-n must be a number of releases (1 or more), not ${JSON.stringify(raw)}`, {
      hint: 'slipway releases -a APP -n 5',
    });
  return Number(raw);
}

function printReleaseInfo(out: (line: string) => void, info: ReleaseInfo): void {
  const { release: r, build: b } = info;
  const row = (key: string, value: string) => out(`${`${key}:`.padEnd(13)} ${value}`);
  out(`=== v${r.version} of ${r.app}`);
  row('status', `${r.current ? 'current' : r.status}${r.error ? ` — ${r.error}` : ''}`);
  row('description', r.description);
  row('created', `${r.createdAt} (${age(r.createdAt)} ago) by ${r.createdBy}`);
  if (r.rollbackOf !== undefined) row('rollback of', `v${r.rollbackOf}`);
  if (r.deployMs !== undefined) row('deployed in', `${(r.deployMs / 1000).toFixed(2)}s`);
  row('image', `${b.imageRef} (${b.imageId.slice(0, 19)})`);
  row('source', b.source.kind === 'image' ? `image ${b.source.image}` : b.source.description);
  if (b.record) {
    row('build', `${b.record.id} (${b.record.strategy ?? '?'}, ${b.record.steps} step(s), by ${b.record.startedBy})`);
    row('commit', describeSource(b.record.source) + (b.record.source.branch ? ` (${b.record.source.branch})` : ''));
  }
  row('processes', b.processTypes.length > 0 ? b.processTypes.join(', ') : 'web (the image CMD)');
  row('config', r.configKeys.length > 0 ? r.configKeys.join(', ') : '(none)');
  for (const { deployment: d, timeline, outputLines } of info.deployments) {
    out('');
    const took = d.finishedAt ? ` in ${((Date.parse(d.finishedAt) - Date.parse(d.startedAt)) / 1000).toFixed(2)}s` : '';
    out(`--- deployment #${d.id} (${d.kind}): ${d.status}${took}, started ${d.startedAt}`);
    if (d.error) out(`    error: ${d.error.message}`);
    for (const step of timeline) {
      const mark = step.ok === undefined ? ' ' : step.ok ? '✓' : '✗';
      const ms = step.ms === undefined ? '' : ` (${(step.ms / 1000).toFixed(2)}s)`;
      out(`    ${step.at.slice(11, 23)} ${mark} ${step.text}${ms}`);
    }
    if (outputLines > 0) out(`    (${outputLines} output line(s) in the deploy log)`);
  }
}

export const runs = {
  async releases(ctx) {
    const app = requireApp(ctx.args);
    const limit = parseLimit(flag(ctx.args, 'num'));
    const { releases: all } = await ctx
      .api()
      .json<{ releases: ReleaseRow[] }>('GET', `/v1/apps/${encodeURIComponent(app)}/releases`);
    const releases = limit === undefined ? all : all.slice(0, limit);
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
  async 'releases:info'(ctx) {
    const app = requireApp(ctx.args);
    const [raw, ...extra] = ctx.args.positionals;
    if (raw === undefined || extra.length > 0)
      throw new SlipwayError('INVALID_INPUT', 'releases:info takes one release', {
        hint: `slipway releases:info -a ${app} v3`,
      });
    const version = parseReleaseVersion(raw);
    const info = await ctx.api().json<ReleaseInfo>('GET', `/v1/apps/${encodeURIComponent(app)}/releases/v${version}`);
    if (ctx.json) return ctx.output.out(JSON.stringify(info, null, 2));
    printReleaseInfo(ctx.output.out, info);
  },
} satisfies CommandRuns;
