import bcrypt from 'bcryptjs';
import { SlipwayError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import type { TokenInfo, User } from '../store/user-repository.js';
import type { AuthPrincipal } from './auth-service.js';
import { hashToken, newToken } from './auth-service.js';

/** bcrypt cost: ~0.1 s per check here, run asynchronously so the server keeps answering. */
const BCRYPT_ROUNDS = 11;
const MIN_PASSWORD = 10;
const MAX_PASSWORD = 200;
/** Failed logins per user name (or per client address) within the window before the next is refused. */
export const LOGIN_FAILURES_ALLOWED = 10;
const LOGIN_WINDOW_MS = 10 * 60_000;
/** How long the token a login makes lasts. */
export const LOGIN_TOKEN_DAYS = 90;

/**
 * User passwords (bcrypt; never stored or logged in clear) and `slipway login` with one: a password is
 * exchanged for a token, which is what the CLI keeps. Failed attempts are counted per user and per client
 * address; past the limit the next attempt is refused without checking (429), whatever the password.
 */
export class PasswordLogin {
  private readonly failures = new Map<string, number[]>();
  /** A hash of the same cost that no password matches, compared for users without one. */
  private dummy: Promise<string> | undefined;

  constructor(private readonly store: Store) {}

  /** INVALID_INPUT unless `password` is one a user may have. */
  check(password: unknown): string {
    if (typeof password !== 'string' || password.length < MIN_PASSWORD || password.length > MAX_PASSWORD)
      throw new SlipwayError('INVALID_INPUT', `a password is ${MIN_PASSWORD} to ${MAX_PASSWORD} characters long`, {
        hint: 'choose a longer one (a passphrase of a few words is fine)',
      });
    return password;
  }

  async setPassword(name: string, given: unknown): Promise<User> {
    const password = this.check(given);
    const user = this.store.users.find(name);
    if (!user) throw new SlipwayError('NOT_FOUND', `no user ${JSON.stringify(name.slice(0, 60))}`);
    this.store.users.setPasswordHash(name, await bcrypt.hash(password, BCRYPT_ROUNDS));
    return this.store.users.find(name)!;
  }

  /** The user, when `password` is theirs; undefined otherwise (also when they have no password). */
  async verify(name: string, password: string, source: string): Promise<User | undefined> {
    const keys = [`user:${name}`, `source:${source}`];
    if (keys.some((key) => this.recentFailures(key) >= LOGIN_FAILURES_ALLOWED))
      throw new SlipwayError('RATE_LIMITED', 'too many failed logins: wait a few minutes', {
        hint: `at most ${LOGIN_FAILURES_ALLOWED} failures in ${LOGIN_WINDOW_MS / 60_000} minutes, per user and address`,
      });
    const hash = this.store.users.passwordHash(name);
    // A user without a password, or no such user, costs the same time as a wrong password.
    this.dummy ??= bcrypt.hash(`no password ${Math.random()}`, BCRYPT_ROUNDS);
    const ok = await bcrypt.compare(password, hash ?? (await this.dummy));
    if (ok && hash) return this.store.users.find(name);
    const now = Date.now();
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now]);
    return undefined;
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

  private recentFailures(key: string): number {
    return this.recent(key, Date.now()).length;
  }

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((at) => now - at < LOGIN_WINDOW_MS);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }
}
