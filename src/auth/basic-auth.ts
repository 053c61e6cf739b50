import { SlipwayError, isSlipwayError } from '../core/errors.js';
import type { AuthPrincipal } from './auth-service.js';

/** A user's password check (PasswordLogin.principal): the user, acting as with a full token of theirs. */
export type PasswordCheck = (user: string, password: string) => Promise<AuthPrincipal | undefined>;

/**
 * Who `Authorization: Basic …` is (git over HTTP): any user name with a Slipway token as the password, as
 * Heroku does, or a user's own name and password. The token is tried first (a hash lookup); a user name with
 * a password that is no token is then checked as that user's password (bcrypt, rate-limited).
 */
export async function principalFromBasic(
  header: string | undefined,
  authenticateToken: (bearer: string) => AuthPrincipal,
  checkPassword?: PasswordCheck,
): Promise<AuthPrincipal> {
  const m = /^Basic ([A-Za-z0-9+/=]{1,4096})$/.exec(header?.trim() ?? '');
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const user = colon >= 0 ? decoded.slice(0, colon) : '';
  const password = colon >= 0 ? decoded.slice(colon + 1) : '';
  if (!password)
    throw new SlipwayError('UNAUTHORIZED', 'git over HTTP needs your password or a Slipway token as the password', {
      hint: 'your user name and password, or any user name and a token (slipway tokens:create --scope deploy)',
    });
  try {
    return authenticateToken(`Bearer ${password}`);
  } catch (err) {
    const tokenRefused = isSlipwayError(err) && err.code === 'UNAUTHORIZED';
    if (!tokenRefused || !checkPassword || !user || password.startsWith('slp_')) throw err;
    const principal = await checkPassword(user, password);
    if (principal) return principal;
    throw new SlipwayError('UNAUTHORIZED', 'wrong user name or password (or token)', {
      hint: 'your user name and password (slipway users:passwd), or any user name and a token as the password',
    });
  }
}
