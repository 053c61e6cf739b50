import { SlipwayError } from '../../core/errors.js';
import { requireApp } from '../args.js';
import { table, age } from '../reporter.js';
import { followOperation } from '../run-stream.js';
import type { Command } from '../command.js';
import { commitsByRelease } from './builds.js';
import type { ProcessRow } from '../../server/process-list.js';


export const psCommands: Command[] = [
  {
    name: 'ps',
    usage: 'ps -a APP [--json]',
    summary: 'list containers with release, state, router status and age',
    async run(ctx) {
      const app = requireApp(ctx.args);
      const body = await ctx.api().json<{ processes: ProcessRow[]; formation: Record<string, number> }>('GET', `/v1/apps/${encodeURIComponent(app)}/ps`);
      const commits = await commitsByRelease(ctx, app);
      const commitOf = (p: ProcessRow) => commits.get(Number(p.release.replace(/^v/, '')));
      if (ctx.json) return ctx.output.out(JSON.stringify({ ...body, processes: body.processes.map((p) => ({ ...p, commit: commitOf(p) ?? null })) }, null, 2));
      ctx.output.out(`formation: ${Object.entries(body.formation).map(([t, n]) => `${t}=${n}`).join(' ') || '(none)'}`);
      if (body.processes.length === 0) return ctx.output.out('no containers');
      ctx.output.out(
        table(
          body.processes.map((p) => ({ ...p, commit: commitOf(p), age: age(p.startedAt ?? p.createdAt) })),
          [
            { key: 'dyno', title: 'process' },
            { key: 'release', title: 'release' },
            { key: 'commit', title: 'commit' },
            { key: 'state', title: 'state' },
            { key: 'router', title: 'router' },
            { key: 'containerId', title: 'container' },
            { key: 'age', title: 'age' },
          ],
        ),
      );
    },
  },
  {
    name: 'ps:scale',
    usage: 'ps:scale -a APP TYPE=N… [--json]',
    summary: 'change the number of containers per process type, with zero downtime',
    async run(ctx) {
      const app = requireApp(ctx.args);
      const formation: Record<string, number> = {};
      for (const word of ctx.args.positionals) {
        const match = /^([a-z][a-z0-9_-]*)=(\d+)$/.exec(word);
        if (!match) throw new SlipwayError('INVALID_INPUT', `expected TYPE=N, got ${JSON.stringify(word)}`, { hint: 'slipway ps:scale -a APP web=2 worker=1' });
        formation[match[1]!] = Number(match[2]);
      }
      if (Object.keys(formation).length === 0) throw new SlipwayError('INVALID_INPUT', 'nothing to scale', { hint: 'slipway ps:scale -a APP web=2' });
      const lines = ctx.api().stream('POST', `/v1/apps/${encodeURIComponent(app)}/scale`, { type: 'application/json', data: JSON.stringify({ formation }) });
      const result = (await followOperation(ctx, lines)) as { ms: number };
      if (!ctx.json) ctx.output.out(`scaled ${app}: ${ctx.args.positionals.join(' ')} in ${(result.ms / 1000).toFixed(2)}s`);
    },
  },
  {
    name: 'ps:restart',
    usage: 'ps:restart -a APP [TYPE…] [--json]',
    summary: 'replace the containers of TYPE (default: all) with fresh ones, with zero downtime',
    async run(ctx) {
      const app = requireApp(ctx.args);
      const lines = ctx.api().stream('POST', `/v1/apps/${encodeURIComponent(app)}/restart`, { type: 'application/json', data: JSON.stringify({ types: ctx.args.positionals }) });
      const result = (await followOperation(ctx, lines)) as { ms: number };
      if (!ctx.json) ctx.output.out(`restarted ${app}${ctx.args.positionals.length ? ` (${ctx.args.positionals.join(', ')})` : ''} in ${(result.ms / 1000).toFixed(2)}s`);
    },
  },
];
