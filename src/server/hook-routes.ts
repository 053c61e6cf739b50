import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { SlipwayError } from '../core/errors.js';
import type { Slipway } from '../slipway.js';
import { route, sendJson, type PublicRoute, type Route } from './http-kit.js';
import { readBody } from './request-body.js';
import { intQuery } from './request-guard.js';
import { DEFAULT_HOOK_BODY_LIMIT } from '../hooks/hook-service.js';

const addBody = {
  schema: z
    .object({
      provider: z.string().max(40),
      branch: z.string().max(200).optional(),
      repo: z.string().max(2000).optional(),
    })
    .strict(),
  hint: 'slipway hooks:add -a APP --provider github|gitlab|gitea [--branch main] [--repo CLONE_URL]',
};

const credentialsBody = {
  schema: z.object({ username: z.string().min(1).max(300), password: z.string().max(8192) }).strict(),
  hint: 'echo "$TOKEN" | slipway git:credentials:set -a APP --username USER --password-stdin',
};

/** Managing hooks and the credentials pushed commits are fetched with (token-authenticated). */
export function hookRoutes(s: Slipway): Route[] {
  const app = (params: Record<string, string>) => s.apps.get(params['app']!).name;
  return [
    route('GET', '/v1/apps/:app/hooks', async ({ res, params }) =>
      sendJson(res, 200, { hooks: s.hooks.list(app(params)) }),
    ),
    route('POST', '/v1/apps/:app/hooks', async ({ req, res, params }) => {
      const name = app(params);
      const { provider, branch, repo } = await readBody(req, addBody);
      const { hook, secret } = s.hooks.add(name, provider, branch ?? 'main', repo);
      sendJson(res, 201, { hook, secret, path: `/hooks/${hook.provider}/${encodeURIComponent(hook.app)}` });
    }),
    route('DELETE', '/v1/apps/:app/hooks/:id', async ({ res, params }) => {
      const id = params['id']!;
      if (!/^\d{1,12}$/.test(id))
        throw new SlipwayError('INVALID_INPUT', 'hook ids are numbers (see slipway hooks -a APP)');
      s.hooks.remove(app(params), Number(id));
      sendJson(res, 200, { removed: Number(id) });
    }),
    route('GET', '/v1/apps/:app/hook-deliveries', async ({ res, params, query }) =>
      sendJson(res, 200, {
        deliveries: s.hooks.deliveries(app(params), intQuery(query, 'limit', { min: 1, max: 1000, fallback: 50 })),
      }),
    ),
    route('GET', '/v1/apps/:app/git-credentials', async ({ res, params }) =>
      sendJson(res, 200, { credentials: s.hooks.credentials(app(params)) ?? null }),
    ),
    route('PUT', '/v1/apps/:app/git-credentials', async ({ req, res, params }) => {
      const name = app(params);
      const { username, password } = await readBody(req, credentialsBody);
      s.hooks.setCredentials(name, { username, password });
      sendJson(res, 200, { credentials: s.hooks.credentials(name) });
    }),
    route('DELETE', '/v1/apps/:app/git-credentials', async ({ res, params }) => {
      s.hooks.unsetCredentials(app(params));
      sendJson(res, 200, { removed: true });
    }),
  ];
}

/** `POST /hooks/<provider>/<app>`: the body is read (bounded) before anything is parsed; the service checks it. */
export function hookReceiverRoutes(s: Slipway, limit = DEFAULT_HOOK_BODY_LIMIT): PublicRoute[] {
  const receiver = route('POST', '/hooks/:provider/:app', async ({ req, res, params }) => {
    const body = await readRaw(req, limit);
    const answer = s.hooks.receive(params['provider']!, params['app']!, req.headers, body);
    if (typeof answer.body === 'string') {
      res.writeHead(answer.status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
      return;
    }
    sendJson(res, answer.status, answer.body);
  });
  return [{ ...receiver, actor: (params) => `webhook:${String(params['provider']).slice(0, 20)}` }];
}

async function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): SlipwayError {
  return new SlipwayError('PAYLOAD_TOO_LARGE', `a webhook delivery may be at most ${limit} bytes`);
}
