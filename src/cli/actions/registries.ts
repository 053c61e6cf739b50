import { SlipwayError } from '../../core/errors.js';
import { readSecretStdin } from '../secret-input.js';
import { flag, has } from '../args.js';
import { table } from '../reporter.js';
import type { CommandContext, CommandRuns } from '../command.js';
import type { RegistryLogin } from '../../store/registry-login-repository.js';

function oneServer(ctx: CommandContext, usage: string): string {
  const [server, ...extra] = ctx.args.positionals;
  if (!server || extra.length > 0)
    throw new SlipwayError('INVALID_INPUT', server ? 'name one registry' : 'which registry?', { hint: usage });
  return server;
}

export const runs = {
  async 'registry:login'(ctx) {
    const usage = 'echo "$TOKEN" | slipway registry:login HOST --username USER --password-stdin';
    const server = oneServer(ctx, usage);
    const username = flag(ctx.args, 'username');
    if (!username || !has(ctx.args, 'password-stdin'))
      throw new SlipwayError('INVALID_INPUT', 'registry:login needs --username and --password-stdin', {
        hint: `${usage} (a password is never taken on the command line)`,
      });
    const password = await readSecretStdin(usage);
    const { registry } = await ctx
      .api()
      .json<{ registry: RegistryLogin }>('POST', '/v1/registries', { server, username, password });
    if (ctx.json) return ctx.output.out(JSON.stringify(registry, null, 2));
    ctx.output.out(`logged in to ${registry.server} as ${registry.username}`);
  },
  async 'registry:logout'(ctx) {
    const server = oneServer(ctx, 'slipway registry:logout HOST');
    await ctx.api().json('DELETE', `/v1/registries/${encodeURIComponent(server)}`);
    ctx.output.out(`logged out of ${server}`);
  },
  async registries(ctx) {
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
} satisfies CommandRuns;
