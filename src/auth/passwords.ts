import bcrypt from 'bcryptjs';
import { SlipwayError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import type { TokenInfo, User } from '../store/user-repository.js';
import type { AuthPrincipal } from './auth-service.js';
import { hashToken, newToken } from './auth-service.js';
import { LOGIN_FAILURES_ALLOWED, LOGIN_WINDOW_MS, LoginLimiter } from './login-limiter.js';

/** bcrypt cost: ~0.1 s per check here, run asynchronously so the server keeps answering. */
const BCRYPT_ROUNDS = 10;
const MIN_PASSWORD = 10;
/** bcrypt reads the first 72 bytes of a password and ignores the rest: longer ones are refused. */
const MAX_PASSWORD_BYTES = 72;
/** bcrypt runs on the server's one thread: at most this many at once, others are told to retry (429). */
const MAX_CONCURRENT_CHECKS = 2;
/** How long the token a login makes lasts. */
export const LOGIN_TOKEN_DAYS = 90;

/**
 * User passwords (bcrypt; never stored or logged in clear) and `slipway login` with one: a password is
 * exchanged for a token, which is what the CLI keeps. Attempts are counted per user and per client
 * address (LoginLimiter); past the limit the next attempt is refused without checking (429).
 */
export class PasswordLogin {
  private readonly limiter = new LoginLimiter();
  private checking = 0;
  /** A hash of the same cost that no password matches, compared for users without one. */
  private dummy: Promise<string> | undefined;

  constructor(private readonly store: Store) {}

  /** INVALID_INPUT unless `password` is one a user may have. */
  check(password: unknown): string {
    if (
      typeof password !== 'string' ||
      password.length < MIN_PASSWORD ||
      Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES
    )
      throw new SlipwayError(
        'INVALID_INPUT',
        `a password is at least ${MIN_PASSWORD} characters and at most ${MAX_PASSWORD_BYTES} bytes long`,
        { hint: 'choose another (a passphrase of a few words is fine)' },
      );
    return password;
  }

  /**
   * Sets `name`'s password. Changing your own password needs the current one when you have one (so a
   * leaked token cannot take over the account for good); every token a password login made for the user
   * is revoked, so other sessions log in again.
   */
  async setPassword(
    name: string,
    given: unknown,
    opts: { current?: string | undefined; self?: boolean } = {},
  ): Promise<User> {
    const password = this.check(given);
    const user = this.store.users.find(name);
    if (!user) throw new SlipwayError('NOT_FOUND', `no user ${JSON.stringify(name.slice(0, 60))}`);
    const existing = this.store.users.passwordHash(name);
    if (opts.self && existing && !(await this.compare(opts.current ?? '', existing)))
      throw new SlipwayError('UNAUTHORIZED', 'the current password is wrong (or missing)', {
        hint: 'users:passwd asks for it; with --password-stdin give the current one, then the new one, a line each',
      });
    this.store.users.setPasswordHash(name, await bcrypt.hash(password, BCRYPT_ROUNDS));
    const now = new Date().toISOString();
    for (const token of this.store.users.tokens(name))
      if (token.name.startsWith('login ') && !token.revokedAt) this.store.users.revoke(token.id, now);
    return this.store.users.find(name)!;
  }

  /** The user, when `password` is theirs; undefined otherwise (also when they have no password). */
  async verify(name: string, password: string, source: string): Promise<User | undefined> {
    const keys = this.limiter.begin(name, source);
    if (!keys)
      throw new SlipwayError('RATE_LIMITED', 'too many failed logins: wait a few minutes', {
        hint:
          `at most ${LOGIN_FAILURES_ALLOWED} failures in ${LOGIN_WINDOW_MS / 60_000} minutes, per user and ` +
          'address (tokens keep working)',
      });
    const hash = this.store.users.passwordHash(name);
    // A user without a password, or no such user, costs the same time as a wrong password.
    this.dummy ??= bcrypt.hash(`no password ${Math.random()}`, BCRYPT_ROUNDS);
    const ok = await this.compare(password, hash ?? (await this.dummy));
    if (!ok || !hash) return undefined;
    this.limiter.succeeded(keys);
    return this.store.users.find(name);
  }

  private async compare(password: string, hash: string): Promise<boolean> {
    if (this.checking >= MAX_CONCURRENT_CHECKS)
      throw new SlipwayError('RATE_LIMITED', 'the server is checking other passwords: try again in a second', {
        hint: 'logins are checked a few at a time',
      });
    this.checking++;
    try {
      return await bcrypt.compare(password, hash);
    } finally {
      this.checking--;
    }
  }

  /** `slipway login` with a password: a new full token of the user's, returned once. */
  async login(
    body: { user: string; password: string; client?: string | undefined },
    source: string,
  ): Promise<{ token: string; info: TokenInfo }> {
    const user = await this.verify(body.user, body.password, source);
    if (!user)
      throw new SlipwayError('UNAUTHORIZED', 'wrong user name or password', {
        hint: 'an admin can set it: slipway users:passwd NAME --password-stdin',
      });
    const token = newToken();
    const name = `login ${(body.client ?? 'cli').replace(/[^A-Za-z0-9._ -]/g, '_').slice(0, 40)}`.trim();
    const info = this.store.users.addToken(
      user,
      {
        name,
        app: null,
        scope: 'admin',
        hash: hashToken(token),
        prefix: token.slice(0, 12),
        expiresAt: new Date(Date.now() + LOGIN_TOKEN_DAYS * 86_400_000).toISOString(),
      },
      new Date().toISOString(),
    );
    return { token, info };
  }

  /** For git over HTTPS with a user's password: the user, acting as with a full token of theirs. */
  async principal(name: string, password: string, source: string): Promise<AuthPrincipal | undefined> {
    const user = await this.verify(name, password, source);
    if (!user) return undefined;
    const token: TokenInfo = {
      id: 0,
      user: user.name,
      name: 'password',
      app: null,
      scope: 'admin',
      prefix: 'password',
      createdAt: user.createdAt,
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
    };
    return { user, token };
  }
}
