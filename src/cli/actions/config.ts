import { SlipwayError } from '../../core/errors.js';
import { parseAssignments } from '../../config/app-settings.js';
import { has, requireApp } from '../args.js';
import { shellAssignments } from '../shell-quote.js';
import { followOperation } from '../run-stream.js';
import type { CommandContext, CommandRuns } from '../command.js';

const configPath = (app: string) => `/v1/apps/${encodeURIComponent(app)}/config`;

async function readConfig(ctx: CommandContext): Promise<Record<string, string>> {
  const { config } = await ctx.api().json<{ config: Record<string, string> }>('GET', configPath(requireApp(ctx.args)));
  return config;
}

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

export const runs = {
  async config(ctx) {
    if (ctx.json && has(ctx.args, 'shell'))
      throw new SlipwayError('INVALID_INPUT', '--shell and --json contradict each other', { hint: 'give one' });
    const config = await readConfig(ctx);
    if (ctx.json) return ctx.output.out(JSON.stringify(config, null, 2));
    if (has(ctx.args, 'shell')) {
      for (const line of shellAssignments(config)) ctx.output.out(line);
      return;
    }
    const keys = Object.keys(config).sort();
    if (keys.length === 0) return ctx.output.out('no config vars');
    const width = Math.max(...keys.map((k) => k.length));
    for (const key of keys) ctx.output.out(`${key.padEnd(width)}  ${config[key]}`);
  },
  async 'config:get'(ctx) {
    const [key, ...extra] = ctx.args.positionals;
    if (!key || extra.length > 0)
      throw new SlipwayError('INVALID_INPUT', 'config:get takes one config var name', {
        hint: 'slipway config:get -a APP KEY',
      });
    const config = await readConfig(ctx);
    if (!Object.hasOwn(config, key))
      throw new SlipwayError('NOT_FOUND', `${key} is not set`, {
        hint: `list the config vars with \`slipway config -a ${requireApp(ctx.args)}\``,
      });
    ctx.output.out(ctx.json ? JSON.stringify({ key, value: config[key] }) : config[key]!);
  },
  'config:set': (ctx) => change(ctx, parseAssignments(ctx.args.positionals, 'config:set -a APP'), []),
  async 'config:unset'(ctx) {
    if (ctx.args.positionals.length === 0)
      throw new SlipwayError('INVALID_INPUT', 'name at least one config var', {
        hint: 'slipway config:unset -a APP KEY',
      });
    return change(ctx, {}, ctx.args.positionals);
  },
} satisfies CommandRuns;
