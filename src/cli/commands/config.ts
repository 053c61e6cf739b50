import { SlipwayError } from '../../core/errors.js';
import { parseAssignments } from '../../config/app-settings.js';
import { has, requireApp } from '../args.js';
import { shellAssignments } from '../shell-quote.js';
import { followOperation } from '../run-stream.js';
import { APP, JSON_OUTPUT, JSON_STREAM, type Command, type CommandContext } from '../command.js';

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

export const configCommands: Command[] = [
  {
    name: 'config',
    group: 'config',
    options: [
      APP,
      { name: 'shell', description: "print KEY='value' lines, safe to eval in a POSIX shell" },
      JSON_OUTPUT,
    ],
    examples: ['slipway config -a shop', 'eval "$(slipway config -a shop --shell)"'],
    summary: 'show config vars',
    async run(ctx) {
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
  },
  {
    name: 'config:get',
    group: 'config',
    args: 'KEY',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway config:get -a shop DATABASE_URL', 'slipway config:get -a shop DEBUG || echo "not set"'],
    summary: "print one config var's value (exit 1 when it is not set)",
    async run(ctx) {
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
