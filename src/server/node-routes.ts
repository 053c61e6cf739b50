import type { NodeService } from '../nodes/node-service.js';
import { route, sendJson, streamOperation, type Route } from './http-kit.js';
import { readBody } from './request-body.js';
import { addNodeBody, labelNodeBody, rebalanceBody } from './node-schemas.js';

/**
 * `nodes`, `nodes:add`, `nodes:drain`, `nodes:activate`, `nodes:remove`, `nodes:label`, and
 * `nodes:rebalance` (drain and rebalance stream their progress). The join command in `POST /v1/nodes`
 * carries the Swarm join token (a secret): it is returned to the caller who asked for it and never logged.
 */
export function nodeRoutes(nodes: NodeService): Route[] {
  const name = (params: Record<string, string>) => params['name']!;
  return [
    route('GET', '/v1/nodes', async ({ res, signal }) => sendJson(res, 200, await nodes.list(signal))),
    route('POST', '/v1/nodes', async ({ req, res, signal }) => {
      const body = await readBody(req, addNodeBody);
      sendJson(res, 201, await nodes.add({ ...body, signal }));
    }),
    route('GET', '/v1/nodes/rebalance/plan', async ({ res, signal }) =>
      sendJson(res, 200, await nodes.rebalance({ dryRun: true, signal })),
    ),
    // Moves run to the end like deploys, even when the client leaves (a half-done move helps nobody).
    route('POST', '/v1/nodes/rebalance', async (ctx) => {
      const { dryRun } = await readBody(ctx.req, rebalanceBody);
      await streamOperation(ctx, (emit) => nodes.rebalance({ dryRun: dryRun === true, emit }));
    }),
    route('GET', '/v1/nodes/:name', async ({ res, params, signal }) =>
      sendJson(res, 200, { node: await nodes.get(name(params), signal) }),
    ),
    route('POST', '/v1/nodes/:name/drain', async (ctx) => {
      await streamOperation(ctx, (emit) => nodes.drain(name(ctx.params), { emit }));
    }),
    route('POST', '/v1/nodes/:name/activate', async ({ res, params, signal }) =>
      sendJson(res, 200, { node: await nodes.activate(name(params), signal) }),
    ),
    route('POST', '/v1/nodes/:name/labels', async ({ req, res, params, signal }) => {
      const { changes } = await readBody(req, labelNodeBody);
      sendJson(res, 200, { node: await nodes.label(name(params), changes, signal) });
    }),
    route('DELETE', '/v1/nodes/:name', async ({ res, params, query, signal }) => {
      const force = query.get('force') === 'true';
      sendJson(res, 200, { node: await nodes.remove(name(params), { force, signal }) });
    }),
  ];
}
