import { SlipwayError } from '../core/errors.js';
import type { AuthPrincipal } from './auth-service.js';

/**
 * Who `Authorization: Basic …` is (git over HTTP): any user name with a Slipway token as the password, as
 * Heroku does. The one place Basic credentials are checked (user passwords will be added here).
 */
export function principalFromBasic(
  header: string | undefined,
  authenticateToken: (bearer: string) => AuthPrincipal,
): AuthPrincipal {
  const m = /^Basic ([A-Za-z0-9+/=]{1,4096})$/.exec(header?.trim() ?? '');
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const password = colon >= 0 ? decoded.slice(colon + 1) : '';
  if (!password)
    throw new SlipwayError('UNAUTHORIZED', 'git over HTTP needs a Slipway token as the password', {
      hint: 'any user name and a token (slipway tokens:create --scope deploy) as the password',
    });
  return authenticateToken(`Bearer ${password}`);
}
