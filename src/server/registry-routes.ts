import { z } from 'zod';
import type { Slipway } from '../slipway.js';
import { route, sendJson, type Route } from './http-kit.js';
import { readBody } from './request-body.js';

const loginBody = {
  schema: z.object({ server: z.string().max(300), username: z.string().max(300), password: z.string().max(4096) }),
  hint: 'echo "$PASSWORD" | slipway registry:login HOST --username USER --password-stdin',
};

/** Logins for the registries `deploy --image` pulls from; a password goes in and never comes out. */
export function registryRoutes(s: Slipway): Route[] {
  return [
    route('GET', '/v1/registries', async ({ res }) => sendJson(res, 200, { registries: s.registries.list() })),
    route('POST', '/v1/registries', async ({ req, res, signal }) => {
      const { server, username, password } = await readBody(req, loginBody);
      sendJson(res, 200, { registry: await s.registries.login(server, username, password, signal) });
    }),
    route('DELETE', '/v1/registries/:server', async ({ res, params }) => {
      s.registries.logout(params['server']!);
      sendJson(res, 200, { removed: params['server'] });
    }),
  ];
}
