import { createHash, randomBytes } from 'node:crypto';
import { SlipwayError } from '../core/errors.js';
import { parseDuration } from '../config/value-units.js';
import type { Store } from '../store/store.js';
import type { Role, TokenInfo, TokenScope, User } from '../store/user-repository.js';
import { missingPermission, needFor } from './permissions.js';

/** Who a request authenticated as: a user, through one of their tokens. */
export interface AuthPrincipal {
  user: User;
  token: TokenInfo;
}

export const USER_NAME_RE = /^[a-z][a-z0-9._-]{0,39}$/;
const TOKEN_NAME_RE = /^[A-Za-z0-9._ -]{1,60}$/;
const ROLES: Role[] = ['admin', 'member'];
const SCOPES: TokenScope[] = ['read', 'deploy', 'admin'];
const MAX_EXPIRY_MS = 5 * 365 * 86_400_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new token: `slp_` and 43 characters of randomness (256 bits). */
export function newToken(): string {
  return `slp_${randomBytes(32).toString('base64url')}`;
}

/**
 * Users, roles, tokens and app access. Tokens are shown once, when made, and kept only as a SHA-256
 * (they are 256 random bits: a fast hash is enough, unlike a password). The installation's local token
 * (SLIPWAY_HOME/token) becomes the first admin's, so existing installs keep working.
 */
export class AuthService {
  constructor(private readonly store: Store) {}

  /** The first start with users: an `admin` user whose `local` token is the home's token file. */
  bootstrap(localToken: string): void {
    const users = this.store.users;
    const now = new Date().toISOString();
    if (users.count() === 0) users.add('admin', 'admin', null, now);
    // Whoever can read the home's token file runs this server anyway: when no admin has a usable full token
    // (the first start, or all of them were revoked), that file's token is an admin's again.
    if (this.liveAdminTokens().length > 0) return;
    const admin = users.list().find((u) => u.role === 'admin') ?? users.add('admin', 'admin', null, now);
    const hash = hashToken(localToken);
    const known = users.tokenByHash(hash);
    if (known) users.deleteToken(known.token.id);
    users.addToken(admin, { name: 'local', app: null, scope: 'admin', hash, prefix: 'local', expiresAt: null }, now);
  }

  /** Tokens of admins that are full (scope admin, no app), not revoked and not expired. */
  private liveAdminTokens(): TokenInfo[] {
    const admins = new Set(
      this.store.users
        .list()
        .filter((u) => u.role === 'admin')
        .map((u) => u.name),
    );
    const now = Date.now();
    return this.store.users
      .tokens()
      .filter(
        (t) =>
          admins.has(t.user) &&
          t.scope === 'admin' &&
          t.app === null &&
          !t.revokedAt &&
          (!t.expiresAt || Date.parse(t.expiresAt) > now),
      );
  }

  /** The principal of `Authorization: Bearer TOKEN`; UNAUTHORIZED (saying why) otherwise. */
  authenticate(header: string | undefined): AuthPrincipal {
    const given = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!given)
      throw new SlipwayError('UNAUTHORIZED', 'no API token', {
        hint: 'the CLI sends SLIPWAY_TOKEN, else the token in SLIPWAY_HOME/token',
      });
    // Looked up by its SHA-256: what the lookup's timing could tell is about a hash, not the token.
    const found = this.store.users.tokenByHash(hashToken(given));
    if (!found)
      throw new SlipwayError('UNAUTHORIZED', 'missing or wrong API token', {
        hint: "the CLI reads the token from SLIPWAY_TOKEN or SLIPWAY_HOME/token; set SLIPWAY_HOME to the server's",
      });
    const { token, user } = found;
    if (token.revokedAt)
      throw new SlipwayError('UNAUTHORIZED', `token ${token.name} was revoked`, { hint: 'ask for a new one' });
    if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now())
      throw new SlipwayError('UNAUTHORIZED', `token ${token.name} expired at ${token.expiresAt}`, {
        hint: 'make a new one: slipway tokens:create --expires 30d',
      });
    this.store.users.touch(token.id, new Date().toISOString());
    return { user, token };
  }

  /** FORBIDDEN, naming the missing permission, unless the principal may make this request. */
  authorize(p: AuthPrincipal, method: string, path: string, query?: URLSearchParams): void {
    const need = needFor(method, path, query);
    const missing = missingPermission({ role: p.user.role, scope: p.token.scope, app: p.token.app }, need, (app) =>
      this.store.users.hasAccess(app, p.user.id),
    );
    if (missing)
      throw new SlipwayError('FORBIDDEN', `${p.user.name} may not ${method} ${path}: it needs ${missing}`, {
        hint:
          need.kind === 'app'
            ? `an admin can grant it: slipway access:add -a ${need.app} ${p.user.name}`
            : 'ask an admin',
        details: { missing },
      });
  }

  /** The apps a principal may see (all of them for an admin's unrestricted token). */
  visibleApps(p: AuthPrincipal, all: string[]): string[] {
    if (p.token.app !== null) return all.filter((a) => a === p.token.app);
    if (p.user.role === 'admin') return all;
    const mine = new Set(this.store.users.appsOf(p.user.id));
    return all.filter((a) => mine.has(a));
  }

  addUser(name: string, role: string): User {
    if (!USER_NAME_RE.test(name))
      throw new SlipwayError('INVALID_NAME', `not a user name: ${JSON.stringify(name.slice(0, 60))}`, {
        hint: 'lowercase letters, digits, ".", "_" or "-", starting with a letter (at most 40)',
      });
    if (!ROLES.includes(role as Role))
      throw new SlipwayError('INVALID_INPUT', `no role ${JSON.stringify(role.slice(0, 20))}`, {
        hint: '--role admin|member',
      });
    if (this.store.users.find(name))
      throw new SlipwayError('APP_EXISTS', `user ${name} exists`, { hint: 'see `slipway users`' });
    return this.store.users.add(name, role as Role, null, new Date().toISOString());
  }

  removeUser(p: AuthPrincipal, name: string): void {
    const user = this.user(name);
    if (user.id === p.user.id)
      throw new SlipwayError('INVALID_INPUT', 'you cannot remove yourself', { hint: 'another admin can' });
    if (user.role === 'admin' && this.store.users.list().filter((u) => u.role === 'admin').length === 1)
      throw new SlipwayError('INVALID_INPUT', `${name} is the last admin`, { hint: 'add another admin first' });
    this.store.users.remove(name);
  }

  /** A new token for the caller (or, for an admin, for `opts.user`); its value is returned once. */
  createToken(
    p: AuthPrincipal,
    opts: { user?: string; app?: string; scope?: string; expires?: string; name?: string },
  ): { token: string; info: TokenInfo } {
    if (p.token.scope !== 'admin' || p.token.app !== null)
      throw new SlipwayError('FORBIDDEN', 'tokens are made with a token of scope admin for no single app', {
        hint: 'use your own full token (not a CI one)',
        details: { missing: 'a token of scope admin' },
      });
    const owner = opts.user && opts.user !== p.user.name ? this.otherUser(p, opts.user) : p.user;
    const scope = (opts.scope ?? 'admin') as TokenScope;
    if (!SCOPES.includes(scope))
      throw new SlipwayError('INVALID_INPUT', `no scope ${JSON.stringify(String(opts.scope).slice(0, 20))}`, {
        hint: '--scope read|deploy|admin',
      });
    const name = opts.name ?? (opts.app ? `${opts.app}-${scope}` : scope);
    if (!TOKEN_NAME_RE.test(name))
      throw new SlipwayError('INVALID_INPUT', 'a token name is 1-60 letters, digits, spaces, ".", "_" or "-"', {
        hint: '--name ci',
      });
    if (opts.app !== undefined) {
      if (!this.store.apps.find(opts.app)) throw new SlipwayError('APP_NOT_FOUND', `no app ${opts.app}`);
      if (owner.role !== 'admin' && !this.store.users.hasAccess(opts.app, owner.id))
        throw new SlipwayError('FORBIDDEN', `${owner.name} has no access to app ${opts.app}`, {
          hint: `slipway access:add -a ${opts.app} ${owner.name}`,
          details: { missing: `access to app ${opts.app}` },
        });
    }
    let expiresAt: string | null = null;
    if (opts.expires !== undefined) {
      const ms = parseDuration(opts.expires, 's');
      if (ms === undefined || ms < 1000 || ms > MAX_EXPIRY_MS)
        throw new SlipwayError(
          'INVALID_INPUT',
          `--expires ${JSON.stringify(opts.expires.slice(0, 20))}: not a duration`,
          {
            hint: 'e.g. --expires 30d, 12h or 10m (at most 5 years)',
          },
        );
      expiresAt = new Date(Date.now() + ms).toISOString();
    }
    const token = newToken();
    const info = this.store.users.addToken(
      owner,
      { name, app: opts.app ?? null, scope, hash: hashToken(token), prefix: token.slice(0, 12), expiresAt },
      new Date().toISOString(),
    );
    return { token, info };
  }

  tokens(p: AuthPrincipal, all: boolean): TokenInfo[] {
    return all && p.user.role === 'admin' ? this.store.users.tokens() : this.store.users.tokens(p.user.name);
  }

  revokeToken(p: AuthPrincipal, id: number): TokenInfo {
    const token = this.store.users.token(id);
    if (!token || (token.user !== p.user.name && p.user.role !== 'admin'))
      throw new SlipwayError('NOT_FOUND', `no token ${id} of yours`, { hint: 'see `slipway tokens`' });
    const live = this.liveAdminTokens();
    if (live.length === 1 && live[0]!.id === id)
      throw new SlipwayError(
        'INVALID_INPUT',
        `token ${id} is the last full admin token: revoking it locks everyone out`,
        {
          hint: 'make another one first: slipway tokens:create --name admin2',
        },
      );
    this.store.users.revoke(id, new Date().toISOString());
    return this.store.users.token(id)!;
  }

  grant(app: string, name: string): string[] {
    this.app(app);
    this.store.users.grant(app, this.user(name).id);
    return this.store.users.access(app);
  }

  revokeAccess(app: string, name: string): string[] {
    this.app(app);
    if (!this.store.users.revokeAccess(app, this.user(name).id))
      throw new SlipwayError('NOT_FOUND', `${name} has no access to ${app}`, { hint: `slipway access -a ${app}` });
    return this.store.users.access(app);
  }

  access(app: string): string[] {
    this.app(app);
    return this.store.users.access(app);
  }

  private otherUser(p: AuthPrincipal, name: string): User {
    if (p.user.role !== 'admin')
      throw new SlipwayError('FORBIDDEN', 'only an admin makes tokens for others', {
        details: { missing: 'the admin role' },
      });
    return this.user(name);
  }

  private user(name: string): User {
    const user = this.store.users.find(name);
    if (!user)
      throw new SlipwayError('NOT_FOUND', `no user ${JSON.stringify(name.slice(0, 60))}`, {
        hint: 'see `slipway users`',
      });
    return user;
  }

  private app(name: string): void {
    if (!this.store.apps.find(name))
      throw new SlipwayError('APP_NOT_FOUND', `no app ${JSON.stringify(name.slice(0, 60))}`);
  }
}
