import { z } from 'zod';
import { SlipwayError } from '../core/errors.js';
import type { AuthPrincipal } from '../auth/auth-service.js';
import type { Slipway } from '../slipway.js';
import { route, sendJson, type PublicRoute, type Route } from './http-kit.js';
import { readBody } from './request-body.js';
import { intQuery } from './request-guard.js';

const userBody = {
  schema: z.object({
    name: z.string().max(100),
    role: z.string().max(20).optional(),
    password: z.string().max(1000).optional(),
  }),
  hint: 'slipway users:add NAME --role admin|member [--password-stdin]',
};
const passwordBody = {
  schema: z.object({ password: z.string().max(1000), current: z.string().max(1000).optional() }),
  hint: 'echo "$PASSWORD" | slipway users:passwd [NAME] --password-stdin',
};
const loginBody = {
  schema: z.object({
    user: z.string().min(1).max(100),
    password: z.string().max(1000),
    client: z.string().max(100).optional(),
  }),
  hint: 'slipway login URL --user NAME',
};
const platformCertBody = {
  schema: z.object({ cert: z.string().max(1_000_000), key: z.string().max(1_000_000) }),
  hint: 'slipway certs:add --platform CERT_FILE KEY_FILE',
};
const tokenBody = {
  schema: z.object({
    user: z.string().max(100).optional(),
    app: z.string().max(100).optional(),
    scope: z.string().max(20).optional(),
    expires: z.string().max(20).optional(),
    name: z.string().max(100).optional(),
  }),
  hint: 'slipway tokens:create [--app APP] [--scope read|deploy|admin] [--expires 30d] [--name ci]',
};
const accessBody = { schema: z.object({ user: z.string().max(100) }), hint: 'slipway access:add -a APP USER' };

function who(principal: AuthPrincipal | undefined): AuthPrincipal {
  if (!principal) throw new SlipwayError('UNAUTHORIZED', 'this server has no users');
  return principal;
}

/** Routes answered without a token: `slipway login` exchanges a user's password for one. */
export function publicAuthRoutes(s: Slipway): PublicRoute[] {
  const login = route('POST', '/v1/login', async ({ req, res, source }) => {
    const body = await readBody(req, loginBody);
    sendJson(res, 201, await s.passwords.login(body, source ?? 'unknown'));
  });
  return [{ ...login, actor: () => '(login with a password)' }];
}

/** Users, tokens, app access and the audit log. Which caller may use each is decided in auth/permissions.ts. */
export function authRoutes(s: Slipway): Route[] {
  return [
    route('GET', '/v1/whoami', async ({ res, principal }) => {
      const p = who(principal);
      sendJson(res, 200, {
        user: p.user,
        token: p.token,
        apps: s.auth.visibleApps(
          p,
          s.apps.list().map((a) => a.name),
        ),
      });
    }),
    route('GET', '/v1/users', async ({ res }) => sendJson(res, 200, { users: s.store.users.list() })),
    route('POST', '/v1/users', async ({ req, res }) => {
      const { name, role, password } = await readBody(req, userBody);
      // Checked before the user exists, so a refused password adds no user.
      if (password !== undefined) s.passwords.check(password);
      const user = s.auth.addUser(name, role ?? 'member');
      sendJson(res, 201, { user: password === undefined ? user : await s.passwords.setPassword(name, password) });
    }),
    route('PUT', '/v1/users/:name/password', async ({ req, res, params, principal }) => {
      const p = who(principal);
      const { password, current } = await readBody(req, passwordBody);
      if (params['name'] !== p.user.name && p.user.role !== 'admin')
        throw new SlipwayError('FORBIDDEN', `${p.user.name} may not set another user's password`, {
          hint: 'ask an admin',
          details: { missing: 'the admin role' },
        });
      const self = params['name'] === p.user.name;
      sendJson(res, 200, { user: await s.passwords.setPassword(params['name']!, password, { current, self }) });
    }),
    route('GET', '/v1/platform/certificate', async ({ res }) =>
      sendJson(res, 200, { certificate: s.platformCerts.show() }),
    ),
    route('PUT', '/v1/platform/certificate', async ({ req, res }) => {
      const { cert, key } = await readBody(req, platformCertBody);
      sendJson(res, 200, { certificate: await s.platformCerts.add(cert, key) });
    }),
    route('DELETE', '/v1/platform/certificate', async ({ res }) =>
      sendJson(res, 200, { certificate: await s.platformCerts.remove() }),
    ),
    route('DELETE', '/v1/users/:name', async ({ res, params, principal }) => {
      s.auth.removeUser(who(principal), params['name']!);
      sendJson(res, 200, { removed: params['name'] });
    }),
    route('GET', '/v1/tokens', async ({ res, query, principal }) =>
      sendJson(res, 200, { tokens: s.auth.tokens(who(principal), query.get('all') === '1') }),
    ),
    // The token's value is in this answer and nowhere else, ever.
    route('POST', '/v1/tokens', async ({ req, res, principal }) => {
      const body = await readBody(req, tokenBody);
      const { token, info } = s.auth.createToken(who(principal), body);
      sendJson(res, 201, { token, info });
    }),
    route('DELETE', '/v1/tokens/:id', async ({ res, params, principal }) => {
      const id = Number(params['id']);
      if (!Number.isSafeInteger(id))
        throw new SlipwayError('INVALID_INPUT', 'a token id is a number', { hint: 'see `slipway tokens`' });
      sendJson(res, 200, { token: s.auth.revokeToken(who(principal), id) });
    }),
    route('GET', '/v1/apps/:app/access', async ({ res, params }) =>
      sendJson(res, 200, { users: s.auth.access(params['app']!) }),
    ),
    route('POST', '/v1/apps/:app/access', async ({ req, res, params }) => {
      const { user } = await readBody(req, accessBody);
      sendJson(res, 200, { users: s.auth.grant(params['app']!, user) });
    }),
    route('DELETE', '/v1/apps/:app/access/:user', async ({ res, params }) =>
      sendJson(res, 200, { users: s.auth.revokeAccess(params['app']!, params['user']!) }),
    ),
    route('GET', '/v1/audit', async ({ res, query }) => {
      const app = query.get('app') ?? undefined;
      const limit = intQuery(query, 'limit', { min: 1, max: 10_000, fallback: 100 });
      sendJson(res, 200, { entries: s.store.audit.list({ ...(app ? { app } : {}), limit }) });
    }),
  ];
}
