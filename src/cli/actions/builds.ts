import { requireApp, type ParsedArgs } from '../args.js';
import { SlipwayError } from '../../core/errors.js';
import { table, age } from '../reporter.js';
import type { Command, CommandRuns } from '../command.js';
import type { BuildRecord } from '../../store/build-record-repository.js';

type BuildRow = BuildRecord & { releases: number[] };

/** `abc123def456 (main, dirty)` or `content sha256:1234…` */
export function describeSource(source: BuildRecord['source'] | undefined): string {
  if (!source) return '-';
  if (source.commit) return `${source.commit.slice(0, 12)}${source.dirty ? '+dirty' : ''}`;
  if (source.contentHash) return `hash:${source.contentHash.slice(7, 19)}`;
  return '-';
}

/** `-a APP ID`: the app and the one build id a command names. */
export function appAndBuild(args: ParsedArgs, command: string): { app: string; id: string } {
  const app = requireApp(args);
  const id = args.positionals[0];
  if (!id || args.positionals.length > 1)
    throw new SlipwayError('INVALID_INPUT', 'which build?', {
      hint: `slipway ${command} -a ${app} ID (ids from \`slipway builds -a ${app}\`)`,
    });
  return { app, id };
}

/** Release version → short commit (or content hash) of its build, for `releases` and `ps`. */
export async function commitsByRelease(ctx: Parameters<Command['run']>[0], app: string): Promise<Map<number, string>> {
  const { builds } = await ctx.api().json<{ builds: BuildRow[] }>('GET', `/v1/apps/${encodeURIComponent(app)}/builds`);
  const out = new Map<number, string>();
  for (const b of builds) for (const v of b.releases) out.set(v, describeSource(b.source));
  return out;
}

export const runs = {
  async builds(ctx) {
    const app = requireApp(ctx.args);
    const { builds } = await ctx
      .api()
      .json<{ builds: BuildRow[] }>('GET', `/v1/apps/${encodeURIComponent(app)}/builds`);
    if (ctx.json) return ctx.output.out(JSON.stringify(builds, null, 2));
    if (builds.length === 0) return ctx.output.out(`${app} has no builds yet — slipway build -a ${app} DIR`);
    ctx.output.out(
      table(
        builds.map((b) => ({
          id: b.id,
          status: b.prunedAt ? `${b.status} (pruned)` : b.status,
          commit: describeSource(b.source),
          branch: b.source.branch,
          strategy: b.strategy,
          steps: b.steps.length || undefined,
          time: b.finishedAt
            ? `${((Date.parse(b.finishedAt) - Date.parse(b.startedAt)) / 1000).toFixed(1)}s`
            : undefined,
          releases: b.releases.map((v) => `v${v}`),
          by: b.startedBy,
          age: age(b.startedAt),
        })),
        ['id', 'status', 'commit', 'branch', 'strategy', 'steps', 'time', 'releases', 'by', 'age'].map((key) => ({
          key,
          title: key,
        })),
      ),
    );
  },
  async 'builds:info'(ctx) {
    const { app, id } = appAndBuild(ctx.args, 'builds:info');
    const body = await ctx
      .api()
      .json<{ build: BuildRecord; log: string }>(
        'GET',
        `/v1/apps/${encodeURIComponent(app)}/builds/${encodeURIComponent(id)}`,
      );
    if (ctx.json) return ctx.output.out(JSON.stringify(body, null, 2));
    const b = body.build;
    ctx.output.out(`build ${b.id}  ${b.status}  by ${b.startedBy}  ${b.startedAt}`);
    ctx.output.out(
      `source  ${b.source.description}  ${describeSource(b.source)}${b.source.branch ? ` (${b.source.branch})` : ''}`,
    );
    ctx.output.out(`digest  ${b.digest ?? '-'}\nimage   ${b.imageRef ?? '-'} ${b.imageId ?? ''}`);
    if (b.error) ctx.output.out(`error   ${b.error.message}`);
    for (const s of b.steps as {
      name: string;
      ms: number;
      cached: number;
      layers: number;
      startedAt: string;
      finishedAt: string;
    }[]) {
      ctx.output.out(
        `step    ${s.name}  ${s.startedAt} → ${s.finishedAt}  ` +
          `${(s.ms / 1000).toFixed(2)}s  ${s.cached}/${s.layers} cached`,
      );
    }
    ctx.output.out('\n' + body.log);
  },
} satisfies CommandRuns;
