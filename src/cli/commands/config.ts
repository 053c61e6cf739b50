import { SlipwayError } from '../../core/errors.js';
import { parseAssignments } from '../../config/app-settings.js';
import { requireApp } from '../args.js';
import { followOperation } from '../run-stream.js';
import { APP, JSON_OUTPUT, JSON_STREAM, type Command, type CommandContext } from '../command.js';

const configPath = (app: string) => `/v1/apps/${encodeURIComponent(app)}/config`;

async function change(ctx: CommandContext, set: Record<string, string>, unset: string[]): Promise<void> {
  const app = requireApp(ctx.args);
  const lines = ctx
    .api()
    .stream('PATCH', configPath(app), { type: 'application/json', data: JSON.stringify({ set, unset }) });
  const result = (await followOperation(ctx, lines)) as {
    keys: string[];
    release?: { release: number; ms: number };
    unchanged?: boolean;
  };
  if (ctx.json) return;
  ctx.output.out(
    result.unchanged
      ? 'config unchanged (nothing to set or unset); no new release'
      : result.release
        ? `config updated; released and deployed v${result.release.release} ` +
          `in ${(result.release.ms / 1000).toFixed(2)}s`
        : `config updated; it takes effect with the first deploy`,
  );
}

export const configCommands: Command[] = [
  {
    name: 'config',
    group: 'config',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway config -a shop'],
    summary: 'show config vars',
    async run(ctx) {
      const { config } = await ctx
        .api()
        .json<{ config: Record<string, string> }>('GET', configPath(requireApp(ctx.args)));
      if (ctx.json) return ctx.output.out(JSON.stringify(config, null, 2));
      const keys = Object.keys(config).sort();
      if (keys.length === 0) return ctx.output.out('no config vars');
      const width = Math.max(...keys.map((k) => k.length));
      for (const key of keys) ctx.output.out(`${key.padEnd(width)}  ${config[key]}`);
    },
  },
  {
    name: 'config:set',
    group: 'config',
    args: 'KEY=VALUE…',
    options: [APP, JSON_STREAM],
    examples: ['slipway config:set -a shop DATABASE_URL=postgres://db/shop'],
    summary: 'set config vars (makes a new release and rolls it out)',
    run: (ctx) => change(ctx, parseAssignments(ctx.args.positionals, 'config:set -a APP'), []),
  },
  {
    name: 'config:unset',
    group: 'config',
    args: 'KEY…',
    options: [APP, JSON_STREAM],
    examples: ['slipway config:unset -a shop DEBUG'],
    summary: 'remove config vars (makes a new release and rolls it out)',
    async run(ctx) {
      if (ctx.args.positionals.length === 0)
        throw new SlipwayError('INVALID_INPUT', 'name at least one config var', {
          hint: 'slipway config:unset -a APP KEY',
        });
      return change(ctx, {}, ctx.args.positionals);
    },
  },
];
