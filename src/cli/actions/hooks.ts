import { SlipwayError } from '../../core/errors.js';
import { flag, has, requireApp } from '../args.js';
import { table } from '../reporter.js';
import { readSecretStdin } from '../secret-input.js';
import type { Hook, HookDelivery } from '../../store/hook-repository.js';
import type { CommandRuns } from '../command.js';

const app = (name: string) => `/v1/apps/${encodeURIComponent(name)}`;

/** How long a delivery took in words (fetch, deploy), for the table. */
function timings(d: HookDelivery): string {
  const parts = [];
  if (d.fetchMs !== null) parts.push(`fetch ${(d.fetchMs / 1000).toFixed(1)}s`);
  if (d.deployMs !== null) parts.push(`deploy ${(d.deployMs / 1000).toFixed(1)}s`);
  return parts.join(', ');
}

export const runs = {
  async 'hooks:add'(ctx) {
    const name = requireApp(ctx.args);
    const provider = flag(ctx.args, 'provider');
    if (!provider)
      throw new SlipwayError('INVALID_INPUT', 'which provider?', { hint: 'use --provider github, gitlab or gitea' });
    const branch = flag(ctx.args, 'branch');
    const repo = flag(ctx.args, 'repo');
    const api = ctx.api();
    const made = await api.json<{ hook: Hook; secret: string; path: string }>('POST', `${app(name)}/hooks`, {
      provider,
      ...(branch ? { branch } : {}),
      ...(repo ? { repo } : {}),
    });
    const url = `${api.baseUrl}${made.path}`;
    if (ctx.json) return ctx.output.out(JSON.stringify({ ...made.hook, url, secret: made.secret }, null, 2));
    ctx.output.out(`webhook ${made.hook.id}: ${made.hook.provider} pushes to ${made.hook.branch} deploy ${name}`);
    ctx.output.out(`  URL:    ${url}`);
    ctx.output.out(`  secret: ${made.secret}`);
    ctx.output.out('the secret is not shown again (remove the hook and add it again for a new one)');
  },
  async hooks(ctx) {
    const name = requireApp(ctx.args);
    const api = ctx.api();
    const { hooks } = await api.json<{ hooks: Hook[] }>('GET', `${app(name)}/hooks`);
    const rows = hooks.map((h) => ({ ...h, url: `${api.baseUrl}/hooks/${h.provider}/${encodeURIComponent(h.app)}` }));
    if (ctx.json) return ctx.output.out(JSON.stringify(rows, null, 2));
    if (rows.length === 0)
      return ctx.output.out(`no webhooks (add one: slipway hooks:add -a ${name} --provider github)`);
    ctx.output.out(
      table(rows as unknown as Record<string, unknown>[], [
        { key: 'id', title: 'id' },
        { key: 'provider', title: 'provider' },
        { key: 'branch', title: 'branch' },
        { key: 'url', title: 'url' },
        { key: 'createdAt', title: 'since' },
      ]),
    );
  },
  async 'hooks:remove'(ctx) {
    const name = requireApp(ctx.args);
    const [id, ...extra] = ctx.args.positionals;
    if (!id || extra.length > 0)
      throw new SlipwayError('INVALID_INPUT', 'which webhook?', { hint: `see the ids: slipway hooks -a ${name}` });
    await ctx.api().json('DELETE', `${app(name)}/hooks/${encodeURIComponent(id)}`);
    ctx.output.out(`removed webhook ${id} of ${name}`);
  },
  async 'hooks:deliveries'(ctx) {
    const name = requireApp(ctx.args);
    const limit = flag(ctx.args, 'limit');
    const query = limit ? `?limit=${encodeURIComponent(limit)}` : '';
    const { deliveries } = await ctx
      .api()
      .json<{ deliveries: HookDelivery[] }>('GET', `${app(name)}/hook-deliveries${query}`);
    if (ctx.json) return ctx.output.out(JSON.stringify(deliveries, null, 2));
    if (deliveries.length === 0) return ctx.output.out('no deliveries yet');
    ctx.output.out(
      table(
        deliveries.map((d) => ({ ...d, commit: d.commit?.slice(0, 12) ?? '', took: timings(d) })),
        [
          { key: 'id', title: 'id' },
          { key: 'provider', title: 'provider' },
          { key: 'deliveryId', title: 'delivery' },
          { key: 'event', title: 'event' },
          { key: 'commit', title: 'commit' },
          { key: 'branch', title: 'branch' },
          { key: 'receivedAt', title: 'received' },
          { key: 'outcome', title: 'outcome' },
          { key: 'took', title: 'took' },
        ],
      ),
    );
  },
  async 'git:credentials:set'(ctx) {
    const name = requireApp(ctx.args);
    const usage = `echo "$TOKEN" | slipway git:credentials:set -a ${name} --username USER --password-stdin`;
    const username = flag(ctx.args, 'username');
    if (!username || !has(ctx.args, 'password-stdin'))
      throw new SlipwayError('INVALID_INPUT', 'git:credentials:set needs --username and --password-stdin', {
        hint: `${usage} (a password is never taken on the command line)`,
      });
    const password = await readSecretStdin(usage);
    await ctx.api().json('PUT', `${app(name)}/git-credentials`, { username, password });
    ctx.output.out(`git credentials of ${name} set (user ${username})`);
  },
  async 'git:credentials'(ctx) {
    const name = requireApp(ctx.args);
    const { credentials } = await ctx
      .api()
      .json<{ credentials: { username: string; updatedAt: string } | null }>('GET', `${app(name)}/git-credentials`);
    if (ctx.json) return ctx.output.out(JSON.stringify(credentials, null, 2));
    ctx.output.out(
      credentials ? `user ${credentials.username} (since ${credentials.updatedAt})` : 'no git credentials',
    );
  },
  async 'git:credentials:unset'(ctx) {
    const name = requireApp(ctx.args);
    await ctx.api().json('DELETE', `${app(name)}/git-credentials`);
    ctx.output.out(`git credentials of ${name} removed`);
  },
} satisfies CommandRuns;
