import { z } from 'zod';
import type { Slipway } from '../slipway.js';
import { route, sendJson, type Route } from './http-kit.js';
import { readBody } from './request-body.js';
import { SlipwayError } from '../core/errors.js';

const keyBody = {
  schema: z.strictObject({ publicKey: z.string().min(1).max(16_384), name: z.string().max(60).optional() }),
  hint: 'slipway keys:add ~/.ssh/id_ed25519.pub [--name laptop]',
};

/** `keys:*`: the caller's own SSH public keys (git push over SSH). */
export function keyRoutes(s: Slipway): Route[] {
  const who = (p: Parameters<Route['handler']>[0]['principal']) => {
    if (!p) throw new SlipwayError('FORBIDDEN', 'SSH keys belong to a user', { hint: 'use a user token' });
    return p;
  };
  return [
    // Where git push over SSH listens (git:remote --ssh); 0 = off.
    route('GET', '/v1/ssh', async ({ res }) => sendJson(res, 200, { port: s.env.sshPort ?? 0 })),
    route('GET', '/v1/keys', async ({ res, principal }) => sendJson(res, 200, { keys: s.keys.list(who(principal)) })),
    route('POST', '/v1/keys', async ({ req, res, principal }) => {
      const { publicKey, name } = await readBody(req, keyBody);
      sendJson(res, 201, { key: s.keys.add(who(principal), publicKey, name) });
    }),
    route('DELETE', '/v1/keys/:key', async ({ res, params, principal }) =>
      sendJson(res, 200, { key: s.keys.remove(who(principal), params['key']!) }),
    ),
  ];
}
