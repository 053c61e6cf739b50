import type { Slipway } from '../main.js';
import { route, readJson, sendJson, type Route } from './http-kit.js';

/** Custom domains and TLS certificates of an app. Certificate bodies carry a private key: never logged or echoed. */
export function domainRoutes(s: Slipway): Route[] {
  return [
    route('GET', '/v1/apps/:app/domains', async ({ res, params }) =>
      sendJson(res, 200, { domains: s.domains.list(params['app']!) }),
    ),
    route('POST', '/v1/apps/:app/domains', async ({ req, res, params }) => {
      const body = await readJson(req);
      sendJson(res, 201, { domain: await s.domains.add(params['app']!, body['host']) });
    }),
    route('DELETE', '/v1/apps/:app/domains/:host', async ({ res, params }) =>
      sendJson(res, 200, await s.domains.remove(params['app']!, params['host'])),
    ),
    route('GET', '/v1/apps/:app/certs', async ({ res, params }) =>
      sendJson(res, 200, { certificate: s.certs.show(params['app']!) ?? null }),
    ),
    route('PUT', '/v1/apps/:app/certs', async ({ req, res, params }) => {
      const body = await readJson(req);
      sendJson(res, 200, { certificate: await s.certs.add(params['app']!, body['cert'], body['key']) });
    }),
    route('DELETE', '/v1/apps/:app/certs', async ({ res, params }) =>
      sendJson(res, 200, await s.certs.remove(params['app']!)),
    ),
  ];
}
