import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlipwayError } from '../core/errors.js';
import { createApiServer, type AuditRecord } from './http-server.js';
import { route, sendJson, type PublicRoute } from './http-kit.js';
import { TOKEN_PRINCIPAL } from './request-guard.js';

/** A real server on loopback: public routes (webhooks) answer before token authentication; the rest still need it. */
test('public routes are dispatched before token authentication and audited under their own actor', async () => {
  const audits: AuditRecord[] = [];
  const open: PublicRoute = {
    ...route('POST', '/hooks/:provider/:app', async ({ res, params, principal }) =>
      sendJson(res, 202, { app: params['app'], principal: principal ?? null }),
    ),
    actor: (params) => `webhook:${params['provider']}`,
  };
  const server = createApiServer([route('POST', '/v1/things', async ({ res }) => sendJson(res, 200, {}))], {
    allowedHosts: ['api.test'],
    publicRoutes: [open],
    auth: {
      authenticate: (header) => {
        if (header !== 'Bearer t') throw new SlipwayError('UNAUTHORIZED', 'no');
        return TOKEN_PRINCIPAL;
      },
      authorize: () => undefined,
      audit: (e) => audits.push(e),
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const post = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { host: 'api.test' } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
  try {
    const hook = await post('/hooks/github/sh%6Fp');
    assert.deepEqual([hook.status, JSON.parse(hook.body)], [202, { app: 'shop', principal: null }]);
    assert.equal((await post('/v1/things')).status, 401);
    assert.equal((await post('/hooks/github/shop/more')).status, 401);
    for (let i = 0; i < 100 && audits.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      audits.map((a) => [a.path, a.status, a.actor ?? null]),
      [
        ['/hooks/github/sh%6Fp', 202, 'webhook:github'],
        ['/v1/things', 401, null],
        ['/hooks/github/shop/more', 401, null],
      ],
    );
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
