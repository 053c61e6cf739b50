import { SlipwayError } from '../../core/errors.js';
import { requireApp } from '../args.js';
import { table, age } from '../reporter.js';
import { followOperation } from '../run-stream.js';
import { commitsByRelease } from './builds.js';
import type { ProcessRow } from '../../apps/process-service.js';
import { formatBytes } from '../../config/value-units.js';
import type { CommandRuns } from '../command.js';

/** `512m · 512 pids · 0.5 cpu` from what the engine applied ('-' when unlimited). */
function describeLimits(limits: ProcessRow['limits']): string {
  if (!limits) return '-';
  return (
    [
      limits.memoryBytes ? formatBytes(limits.memoryBytes) : '',
      limits.pids ? `${limits.pids} pids` : '',
      limits.cpus ? `${limits.cpus} cpu` : '',
    ]
      .filter(Boolean)
      .join(' · ') || '-'
  );
}

/**
 * `running`; for a dyno that died: `crash loop (exit 3), next restart in 12s`; one its restart mode
 * leaves down: `exited (0), not restarted (on-failure)`; a type stopped with ps:stop: `stopped`.
 */
function stateText(p: ProcessRow): string {
  const held = p.held ? `, not restarted (${p.held.mode})` : '';
  if (p.state === 'stopped') return 'stopped (ps:stop)';
  if (p.held && !p.crash) return `${p.state} (${p.exitCode ?? '?'})${held}`;
  if (p.crash && p.held) return `crashed (exit ${p.crash.lastExitCode ?? '?'})${held}`;
  if (!p.crash) return p.oneOff && p.oneOff !== 'attached' ? `${p.state} (${p.oneOff})` : p.state;
  const code = p.crash.lastExitCode === undefined ? '' : ` (exit ${p.crash.lastExitCode})`;
  const wait =
    p.crash.nextRestartAt === undefined
      ? undefined
      : Math.ceil((Date.parse(p.crash.nextRestartAt) - Date.now()) / 1000);
  const next = wait === undefined ? '' : wait > 0 ? `, next restart in ${wait}s` : ', restarting';
  return `${p.crash.loop ? 'crash loop' : 'crashed'}${code}${next}`;
}

export const runs = {
  async ps(ctx) {
    const app = requireApp(ctx.args);
    const body = await ctx
      .api()
      .json<{ processes: ProcessRow[]; formation: Record<string, number>; problems?: string[] }>(
        'GET',
        `/v1/apps/${encodeURIComponent(app)}/ps`,
      );
    const commits = await commitsByRelease(ctx, app);
    const commitOf = (p: ProcessRow) => commits.get(Number(p.release.replace(/^v/, '')));
    if (ctx.json)
      return ctx.output.out(
        JSON.stringify(
          { ...body, processes: body.processes.map((p) => ({ ...p, commit: commitOf(p) ?? null })) },
          null,
          2,
        ),
      );
    for (const problem of body.problems ?? []) ctx.output.err(`error: ${problem}`);
    if (body.problems?.length)
      ctx.output.err(
        `hint: fix it with \`slipway apps:settings:set -a ${app} KEY=VALUE\`; ` +
          'until then the app is not routed or deployed',
      );
    const stopped = new Set(body.processes.filter((p) => p.state === 'stopped').map((p) => p.dyno.split('.')[0]));
    ctx.output.out(
      `formation: ${
        Object.entries(body.formation)
          .map(([t, n]) => `${t}=${n}${stopped.has(t) ? ' (stopped)' : ''}`)
          .join(' ') || '(none)'
      }`,
    );
    if (body.processes.length === 0) return ctx.output.out('no containers');
    const onNodes = body.processes.some((p) => p.node);
    ctx.output.out(
      table(
        body.processes.map((p) => ({
          ...p,
          commit: commitOf(p),
          age: age(p.startedAt ?? p.createdAt),
          limits: describeLimits(p.limits),
          state: stateText(p),
        })),
        [
          { key: 'dyno', title: 'process' },
          { key: 'release', title: 'release' },
          { key: 'commit', title: 'commit' },
          { key: 'state', title: 'state' },
          { key: 'restarts', title: 'restarts' },
          { key: 'router', title: 'router' },
          ...(onNodes ? [{ key: 'node', title: 'node' }] : []),
          { key: 'limits', title: 'limits' },
          { key: 'containerId', title: 'container' },
          { key: 'age', title: 'age' },
        ],
      ),
    );
  },
  async 'ps:scale'(ctx) {
    const app = requireApp(ctx.args);
    const formation: Record<string, number> = {};
    for (const word of ctx.args.positionals) {
      const match = /^([a-z][a-z0-9_-]*)=(\d+)$/.exec(word);
      if (!match)
        throw new SlipwayError('INVALID_INPUT', `expected TYPE=N, got ${JSON.stringify(word)}`, {
          hint: 'slipway ps:scale -a APP web=2 worker=1',
        });
      formation[match[1]!] = Number(match[2]);
    }
    if (Object.keys(formation).length === 0)
      throw new SlipwayError('INVALID_INPUT', 'nothing to scale', { hint: 'slipway ps:scale -a APP web=2' });
    const lines = ctx.api().stream('POST', `/v1/apps/${encodeURIComponent(app)}/scale`, {
      type: 'application/json',
      data: JSON.stringify({ formation }),
    });
    const result = (await followOperation(ctx, lines)) as { ms: number };
    if (!ctx.json)
      ctx.output.out(`scaled ${app}: ${ctx.args.positionals.join(' ')} in ${(result.ms / 1000).toFixed(2)}s`);
  },
  async 'ps:restart'(ctx) {
    const app = requireApp(ctx.args);
    const lines = ctx.api().stream('POST', `/v1/apps/${encodeURIComponent(app)}/restart`, {
      type: 'application/json',
      data: JSON.stringify({ types: ctx.args.positionals }),
    });
    const result = (await followOperation(ctx, lines)) as { ms: number };
    if (!ctx.json)
      ctx.output.out(
        `restarted ${app}${ctx.args.positionals.length ? ` (${ctx.args.positionals.join(', ')})` : ''} ` +
          `in ${(result.ms / 1000).toFixed(2)}s`,
      );
  },
} satisfies CommandRuns;
