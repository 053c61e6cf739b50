import { SlipwayError } from '../../core/errors.js';
import { requireApp } from '../args.js';
import { age, table } from '../reporter.js';
import { APP, JSON_OUTPUT, type Command, type CommandContext } from '../command.js';

interface DomainEntry {
  host: string;
  kind: 'default' | 'custom';
  createdAt: string;
}

const domainsPath = (app: string) => `/v1/apps/${encodeURIComponent(app)}/domains`;

function hostArgument(ctx: CommandContext, usage: string): string {
  const host = ctx.args.positionals[0];
  if (!host || ctx.args.positionals.length > 1)
    throw new SlipwayError('INVALID_INPUT', 'name one hostname', { hint: `slipway ${usage}` });
  return host;
}

export const domainsCommands: Command[] = [
  {
    name: 'domains',
    group: 'routing',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway domains -a shop'],
    summary: "list the app's hostnames (<app>.<SLIPWAY_DOMAIN> and custom domains)",
    async run(ctx) {
      const { domains } = await ctx.api().json<{ domains: DomainEntry[] }>('GET', domainsPath(requireApp(ctx.args)));
      if (ctx.json) return ctx.output.out(JSON.stringify(domains, null, 2));
      ctx.output.out(
        table(
          domains.map((d) => ({ ...d, age: age(d.createdAt) })),
          [
            { key: 'host', title: 'host' },
            { key: 'kind', title: 'kind' },
            { key: 'age', title: 'age' },
          ],
        ),
      );
    },
  },
  {
    name: 'domains:add',
    group: 'routing',
    args: 'HOST',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway domains:add -a shop www.shop.example'],
    summary: 'route a custom hostname to the app (no HAProxy reload)',
    async run(ctx) {
      const app = requireApp(ctx.args);
      const host = hostArgument(ctx, 'domains:add -a APP www.example.com');
      const { domain } = await ctx.api().json<{ domain: DomainEntry }>('POST', domainsPath(app), { host });
      if (ctx.json) return ctx.output.out(JSON.stringify(domain, null, 2));
      ctx.output.out(`added ${domain.host} to ${app}; point its DNS at this server`);
    },
  },
  {
    name: 'domains:remove',
    group: 'routing',
    args: 'HOST',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway domains:remove -a shop www.shop.example'],
    summary: 'stop routing a custom hostname to the app',
    async run(ctx) {
      const app = requireApp(ctx.args);
      const host = hostArgument(ctx, 'domains:remove -a APP www.example.com');
      const result = await ctx
        .api()
        .json<{ host: string }>('DELETE', `${domainsPath(app)}/${encodeURIComponent(host)}`);
      if (ctx.json) return ctx.output.out(JSON.stringify(result));
      ctx.output.out(`removed ${result.host} from ${app}`);
    },
  },
];
