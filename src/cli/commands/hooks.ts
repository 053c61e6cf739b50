import { SlipwayError } from '../../core/errors.js';
import { flag, has, requireApp } from '../args.js';
import { table } from '../reporter.js';
import { APP, JSON_OUTPUT, type Command } from '../command.js';
import { readSecretStdin } from '../secret-input.js';
import type { Hook, HookDelivery } from '../../store/hook-repository.js';

const app = (name: string) => `/v1/apps/${encodeURIComponent(name)}`;

/** How long a delivery took in words (fetch, deploy), for the table. */
function timings(d: HookDelivery): string {
  const parts = [];
  if (d.fetchMs !== null) parts.push(`fetch ${(d.fetchMs / 1000).toFixed(1)}s`);
  if (d.deployMs !== null) parts.push(`deploy ${(d.deployMs / 1000).toFixed(1)}s`);
  return parts.join(', ');
}

export const hookCommands: Command[] = [
  {
    name: 'hooks:add',
    group: 'deploy',
    options: [
      APP,
      { name: 'provider', value: 'PROVIDER', description: 'who sends it', choices: ['github', 'gitlab', 'gitea'] },
      { name: 'branch', value: 'BRANCH', description: 'the branch whose pushes deploy', default: 'main' },
      {
        name: 'repo',
        value: 'CLONE_URL',
        description: 'the repository pushes are fetched from; deliveries naming another are refused',
        default: 'the first signed push pins its clone URL',
      },
      JSON_OUTPUT,
    ],
    examples: ['slipway hooks:add -a shop --provider github --branch main'],
    summary: 'add a CI webhook: pushes to the branch are fetched, built and deployed (prints the URL and secret once)',
    details:
      'The secret is shown this once: paste it into the provider\'s webhook form (GitHub and Gitea: "Secret", ' +
      'content type application/json; GitLab: "Secret token"). Private repositories are fetched with ' +
      '`slipway git:credentials:set`. Deliveries of an app are handled one at a time; one that arrives while ' +
      'the app deploys waits for that deploy (up to 10 minutes), then fails naming it (see hooks:deliveries). ' +
      'A bad signature is answered 401 and changes nothing.',
    async run(ctx) {
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
  },
  {
    name: 'hooks',
    group: 'deploy',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway hooks -a shop'],
    summary: "list an app's CI webhooks (never their secrets)",
    async run(ctx) {
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
  },
  {
    name: 'hooks:remove',
    group: 'deploy',
    args: 'ID',
    options: [APP],
    examples: ['slipway hooks:remove -a shop 1'],
    summary: 'remove a CI webhook (its deliveries go with it)',
    async run(ctx) {
      const name = requireApp(ctx.args);
      const [id, ...extra] = ctx.args.positionals;
      if (!id || extra.length > 0)
        throw new SlipwayError('INVALID_INPUT', 'which webhook?', { hint: `see the ids: slipway hooks -a ${name}` });
      await ctx.api().json('DELETE', `${app(name)}/hooks/${encodeURIComponent(id)}`);
      ctx.output.out(`removed webhook ${id} of ${name}`);
    },
  },
  {
    name: 'hooks:deliveries',
    group: 'deploy',
    options: [
      APP,
      { name: 'limit', short: 'n', value: 'N', description: 'the newest N deliveries (at most 1000)', default: '50' },
      JSON_OUTPUT,
    ],
    examples: ['slipway hooks:deliveries -a shop', 'slipway hooks:deliveries -a shop -n 200 --json'],
    summary: 'each webhook delivery of an app: event, commit, branch, when, outcome and timings',
    async run(ctx) {
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
  },
  {
    name: 'git:credentials:set',
    group: 'deploy',
    options: [
      APP,
      { name: 'username', short: 'u', value: 'USER', description: 'the git user (or a token name)' },
      { name: 'password-stdin', description: 'read the password (or token) from stdin' },
    ],
    examples: ['echo "$DEPLOY_TOKEN" | slipway git:credentials:set -a shop --username ci --password-stdin'],
    summary: "keep the credentials webhook deploys fetch the app's repository with (stored encrypted)",
    async run(ctx) {
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
  },
  {
    name: 'git:credentials',
    group: 'deploy',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway git:credentials -a shop'],
    summary: 'show the git user webhook deploys fetch with (never the password)',
    async run(ctx) {
      const name = requireApp(ctx.args);
      const { credentials } = await ctx
        .api()
        .json<{ credentials: { username: string; updatedAt: string } | null }>('GET', `${app(name)}/git-credentials`);
      if (ctx.json) return ctx.output.out(JSON.stringify(credentials, null, 2));
      ctx.output.out(
        credentials ? `user ${credentials.username} (since ${credentials.updatedAt})` : 'no git credentials',
      );
    },
  },
  {
    name: 'git:credentials:unset',
    group: 'deploy',
    options: [APP],
    examples: ['slipway git:credentials:unset -a shop'],
    summary: 'forget the git credentials of an app',
    async run(ctx) {
      const name = requireApp(ctx.args);
      await ctx.api().json('DELETE', `${app(name)}/git-credentials`);
      ctx.output.out(`git credentials of ${name} removed`);
    },
  },
];
