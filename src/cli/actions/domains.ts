import { SlipwayError } from '../../core/errors.js';
import { requireApp } from '../args.js';
import { age, table } from '../reporter.js';
import type { CommandContext, CommandRuns } from '../command.js';

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

export const runs = {
  async domains(ctx) {
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
  async 'domains:add'(ctx) {
    const app = requireApp(ctx.args);
    const host = hostArgument(ctx, 'domains:add -a APP www.example.com');
    const { domain } = await ctx.api().json<{ domain: DomainEntry }>('POST', domainsPath(app), { host });
    if (ctx.json) return ctx.output.out(JSON.stringify(domain, null, 2));
    ctx.output.out(`added ${domain.host} to ${app}; point its DNS at this server`);
  },
  async 'domains:remove'(ctx) {
    const app = requireApp(ctx.args);
    const host = hostArgument(ctx, 'domains:remove -a APP www.example.com');
    const result = await ctx.api().json<{ host: string }>('DELETE', `${domainsPath(app)}/${encodeURIComponent(host)}`);
    if (ctx.json) return ctx.output.out(JSON.stringify(result));
    ctx.output.out(`removed ${result.host} from ${app}`);
  },
} satisfies CommandRuns;
