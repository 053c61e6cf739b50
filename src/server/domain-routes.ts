import type { Slipway } from '../slipway.js';
import { route, sendJson, type Route } from './http-kit.js';
import { readBody } from './request-body.js';
import { certBody, domainBody } from './api-schemas.js';

/** Custom domains and TLS certificates of an app. Certificate bodies carry a private key: never logged or echoed. */
export function domainRoutes(s: Slipway): Route[] {
  return [
    route('GET', '/v1/apps/:app/domains', async ({ res, params }) =>
      sendJson(res, 200, { domains: s.domains.list(params['app']!) }),
    ),
    route('POST', '/v1/apps/:app/domains', async ({ req, res, params }) => {
      const { host } = await readBody(req, domainBody);
      sendJson(res, 201, { domain: await s.domains.add(params['app']!, host) });
    }),
    route('DELETE', '/v1/apps/:app/domains/:host', async ({ res, params }) =>
      sendJson(res, 200, await s.domains.remove(params['app']!, params['host'])),
    ),
    route('GET', '/v1/apps/:app/certs', async ({ res, params }) =>
      sendJson(res, 200, { certificate: s.certs.show(params['app']!) ?? null }),
    ),
    route('PUT', '/v1/apps/:app/certs', async ({ req, res, params }) => {
      const { cert, key } = await readBody(req, certBody);
      sendJson(res, 200, { certificate: await s.certs.add(params['app']!, cert, key) });
    }),
    route('DELETE', '/v1/apps/:app/certs', async ({ res, params }) =>
      sendJson(res, 200, await s.certs.remove(params['app']!)),
    ),
  ];
}
