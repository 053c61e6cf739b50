import { SlipwayError } from '../../core/errors.js';
import { flag, has } from '../args.js';
import { table } from '../reporter.js';
import { JSON_OUTPUT, type Command, type CommandContext } from '../command.js';
import type { RegistryLogin } from '../../store/registry-login-repository.js';

function oneServer(ctx: CommandContext, usage: string): string {
  const [server, ...extra] = ctx.args.positionals;
  if (!server || extra.length > 0)
    throw new SlipwayError('INVALID_INPUT', server ? 'name one registry' : 'which registry?', { hint: usage });
  return server;
}

/** The password of `--password-stdin` (a pipe; the trailing newline dropped). */
export async function readStdin(
  hint = 'echo "$TOKEN" | slipway registry:login HOST --username USER --password-stdin',
): Promise<string> {
  if (process.stdin.isTTY)
    throw new SlipwayError('INVALID_INPUT', '--password-stdin reads the password from a pipe', { hint });
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.length > 8192) throw new SlipwayError('INVALID_INPUT', 'the password on stdin is too long');
  }
  return text.replace(/\r?\n$/, '');
}

export const registryCommands: Command[] = [
  {
    name: 'registry:login',
    group: 'deploy',
    args: 'HOST',
    options: [
      { name: 'username', short: 'u', value: 'USER', description: 'the registry user' },
      { name: 'password-stdin', description: 'read the password (or token) from stdin' },
      JSON_OUTPUT,
    ],
    examples: ['echo "$CI_TOKEN" | slipway registry:login registry.example.com --username ci --password-stdin'],
    summary: 'keep credentials for a registry `deploy --image` pulls from (checked first, stored encrypted)',
    async run(ctx) {
      const usage = 'echo "$TOKEN" | slipway registry:login HOST --username USER --password-stdin';
      const server = oneServer(ctx, usage);
      const username = flag(ctx.args, 'username');
      if (!username || !has(ctx.args, 'password-stdin'))
        throw new SlipwayError('INVALID_INPUT', 'registry:login needs --username and --password-stdin', {
          hint: `${usage} (a password is never taken on the command line)`,
        });
      const password = await readStdin();
      const { registry } = await ctx
        .api()
        .json<{ registry: RegistryLogin }>('POST', '/v1/registries', { server, username, password });
      if (ctx.json) return ctx.output.out(JSON.stringify(registry, null, 2));
      ctx.output.out(`logged in to ${registry.server} as ${registry.username}`);
    },
  },
  {
    name: 'registry:logout',
    group: 'deploy',
    args: 'HOST',
    options: [],
    examples: ['slipway registry:logout registry.example.com'],
    summary: 'forget the credentials for a registry',
    async run(ctx) {
      const server = oneServer(ctx, 'slipway registry:logout HOST');
      await ctx.api().json('DELETE', `/v1/registries/${encodeURIComponent(server)}`);
      ctx.output.out(`logged out of ${server}`);
    },
  },
  {
    name: 'registries',
    group: 'deploy',
    options: [JSON_OUTPUT],
    examples: ['slipway registries'],
    summary: 'list the registries Slipway has credentials for (never the passwords)',
    async run(ctx) {
      const { registries } = await ctx.api().json<{ registries: RegistryLogin[] }>('GET', '/v1/registries');
      if (ctx.json) return ctx.output.out(JSON.stringify(registries, null, 2));
      if (registries.length === 0) return ctx.output.out('no registry logins (add one: slipway registry:login HOST)');
      ctx.output.out(
        table(registries as unknown as Record<string, unknown>[], [
          { key: 'server', title: 'registry' },
          { key: 'username', title: 'user' },
          { key: 'createdAt', title: 'since' },
        ]),
      );
    },
  },
];
