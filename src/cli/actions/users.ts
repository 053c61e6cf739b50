import { SlipwayError } from '../../core/errors.js';
import { flag, has, requireApp } from '../args.js';
import { table } from '../reporter.js';
import { ask, canPrompt, readSecretStdin } from '../secret-input.js';
import type { CommandContext, CommandRuns } from '../command.js';
import type { TokenInfo, User } from '../../store/user-repository.js';
import type { AuditEntry } from '../../store/audit-repository.js';

const rows = <T>(items: T[]) => items as unknown as Record<string, unknown>[];

function one(ctx: CommandContext, what: string, usage: string): string {
  const [value, ...extra] = ctx.args.positionals;
  if (!value || extra.length > 0)
    throw new SlipwayError('INVALID_INPUT', value ? `name one ${what}` : `which ${what}?`, { hint: usage });
  return value;
}

function printJsonOr(ctx: CommandContext, value: unknown, text: () => string): void {
  ctx.output.out(ctx.json ? JSON.stringify(value, null, 2) : text());
}

const tokenColumns = [
  { key: 'id', title: 'id' },
  { key: 'user', title: 'user' },
  { key: 'name', title: 'name' },
  { key: 'shownApp', title: 'app' },
  { key: 'scope', title: 'scope' },
  { key: 'prefix', title: 'starts' },
  { key: 'state', title: 'state' },
  { key: 'lastUsed', title: 'last used' },
];

function tokenRow(t: TokenInfo) {
  const expired = t.expiresAt !== null && Date.parse(t.expiresAt) <= Date.now();
  const state = t.revokedAt ? 'revoked' : expired ? 'expired' : t.expiresAt ? `until ${t.expiresAt}` : 'active';
  return { ...t, shownApp: t.app ?? '(all)', state, lastUsed: t.lastUsedAt ?? '-' };
}

export const runs = {
  async whoami(ctx) {
    const me = await ctx.api().json<{ user: User; token: TokenInfo; apps: string[] }>('GET', '/v1/whoami');
    printJsonOr(
      ctx,
      me,
      () =>
        `${me.user.name} (${me.user.role}), token ${me.token.name} of scope ${me.token.scope}` +
        `${me.token.app ? ` for app ${me.token.app}` : ''}; apps: ${me.apps.join(', ') || 'none'}`,
    );
  },
  async users(ctx) {
    const { users } = await ctx.api().json<{ users: User[] }>('GET', '/v1/users');
    printJsonOr(ctx, users, () =>
      table(rows(users), [
        { key: 'name', title: 'name' },
        { key: 'role', title: 'role' },
        { key: 'createdAt', title: 'since' },
      ]),
    );
  },
  async 'users:passwd'(ctx) {
    const me = (await ctx.api().json<{ user: User }>('GET', '/v1/whoami')).user;
    const name = ctx.args.positionals[0] ?? me.name;
    // Your own password, when you have one, needs the current one too.
    const self = name === me.name && me.hasPassword;
    let password: string;
    let current: string | undefined;
    if (has(ctx.args, 'password-stdin')) {
      const usage = self
        ? `printf '%s\\n%s\\n' "$CURRENT" "$NEW" | slipway users:passwd --password-stdin`
        : `echo "$PASSWORD" | slipway users:passwd ${name} --password-stdin`;
      const lines = (await readSecretStdin(usage)).split(/\r?\n/);
      if (self && lines.length < 2)
        throw new SlipwayError('INVALID_INPUT', 'changing your own password needs the current one', {
          hint: `give it on the line before the new one: ${usage}`,
        });
      [current, password] = self ? [lines[0], lines[1] ?? ''] : [undefined, lines[0] ?? ''];
    } else if (canPrompt()) {
      if (self) current = await ask('Current password: ', { hidden: true });
      password = await ask(`New password for ${name}: `, { hidden: true });
      if ((await ask('Again: ', { hidden: true })) !== password)
        throw new SlipwayError('INVALID_INPUT', 'the two passwords differ', {
          hint: 'nothing was changed; try again',
        });
    } else
      throw new SlipwayError('INVALID_INPUT', 'no terminal to ask the password on', {
        hint: `echo "$PASSWORD" | slipway users:passwd ${name} --password-stdin`,
      });
    const { user } = await ctx.api().json<{ user: User }>('PUT', `/v1/users/${encodeURIComponent(name)}/password`, {
      password,
      ...(current !== undefined ? { current } : {}),
    });
    printJsonOr(ctx, user, () => `password set for ${user.name}`);
  },
  async 'users:add'(ctx) {
    const name = one(ctx, 'user', 'slipway users:add NAME --role admin|member');
    const password = has(ctx.args, 'password-stdin')
      ? await readSecretStdin(`echo "$PASSWORD" | slipway users:add ${name} --password-stdin`)
      : undefined;
    const { user } = await ctx.api().json<{ user: User }>('POST', '/v1/users', {
      name,
      role: flag(ctx.args, 'role') ?? 'member',
      ...(password !== undefined ? { password } : {}),
    });
    printJsonOr(
      ctx,
      user,
      () => `added ${user.name} (${user.role}); give them a token: slipway tokens:create --user ${user.name}`,
    );
  },
  async 'users:remove'(ctx) {
    const name = one(ctx, 'user', 'slipway users:remove NAME');
    await ctx.api().json('DELETE', `/v1/users/${encodeURIComponent(name)}`);
    ctx.output.out(`removed ${name}`);
  },
  async tokens(ctx) {
    const { tokens } = await ctx
      .api()
      .json<{ tokens: TokenInfo[] }>('GET', `/v1/tokens${has(ctx.args, 'all') ? '?all=1' : ''}`);
    printJsonOr(ctx, tokens, () => table(rows(tokens.map(tokenRow)), tokenColumns));
  },
  async 'tokens:create'(ctx) {
    const body = Object.fromEntries(
      ['app', 'scope', 'expires', 'name', 'user'].flatMap((k) => {
        const v = flag(ctx.args, k);
        return v === undefined ? [] : [[k, v]];
      }),
    );
    const made = await ctx.api().json<{ token: string; info: TokenInfo }>('POST', '/v1/tokens', body);
    printJsonOr(
      ctx,
      made,
      () =>
        `token ${made.info.name} for ${made.info.user} (scope ${made.info.scope}` +
        `${made.info.app ? `, app ${made.info.app}` : ''}` +
        `${made.info.expiresAt ? `, until ${made.info.expiresAt}` : ''}):\n` +
        `  ${made.token}\nit is not shown again; use it as SLIPWAY_TOKEN`,
    );
  },
  async 'tokens:revoke'(ctx) {
    const id = one(ctx, 'token id', 'slipway tokens:revoke ID');
    const { token } = await ctx.api().json<{ token: TokenInfo }>('DELETE', `/v1/tokens/${encodeURIComponent(id)}`);
    ctx.output.out(`revoked token ${token.id} (${token.name} of ${token.user})`);
  },
  async access(ctx) {
    const app = requireApp(ctx.args);
    const { users } = await ctx.api().json<{ users: string[] }>('GET', `/v1/apps/${encodeURIComponent(app)}/access`);
    printJsonOr(ctx, users, () => (users.length ? users.join('\n') : `no members on ${app} (admins only)`));
  },
  async 'access:add'(ctx) {
    const app = requireApp(ctx.args);
    const user = one(ctx, 'user', 'slipway access:add -a APP USER');
    await ctx.api().json('POST', `/v1/apps/${encodeURIComponent(app)}/access`, { user });
    ctx.output.out(`${user} may act on ${app}`);
  },
  async 'access:remove'(ctx) {
    const app = requireApp(ctx.args);
    const user = one(ctx, 'user', 'slipway access:remove -a APP USER');
    await ctx.api().json('DELETE', `/v1/apps/${encodeURIComponent(app)}/access/${encodeURIComponent(user)}`);
    ctx.output.out(`${user} no longer acts on ${app}`);
  },
  async audit(ctx) {
    const query = new URLSearchParams();
    const app = flag(ctx.args, 'app');
    if (app) query.set('app', app);
    query.set('limit', flag(ctx.args, 'limit') ?? '100');
    const { entries } = await ctx.api().json<{ entries: AuditEntry[] }>('GET', `/v1/audit?${query.toString()}`);
    printJsonOr(ctx, entries, () =>
      table(
        rows(
          entries.map((e) => ({
            ...e,
            what: `${e.method} ${e.path}`,
            outcome: `${e.status}${e.code ? ` ${e.code}` : ''}`,
          })),
        ),
        [
          { key: 'at', title: 'when' },
          { key: 'actor', title: 'who' },
          { key: 'what', title: 'what' },
          { key: 'outcome', title: 'outcome' },
          { key: 'source', title: 'from' },
        ],
      ),
    );
  },
} satisfies CommandRuns;
