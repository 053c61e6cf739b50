import { z } from 'zod';
import type { Slipway } from '../slipway.js';
import { durationSchema } from '../config/value-schemas.js';
import { MAX_MAINTENANCE_PAGE_BYTES, MAX_RETRY_AFTER_SEC } from '../router/maintenance.js';
import { route, sendJson, type Route } from './http-kit.js';
import { readBody, type BodySchema } from './request-body.js';
import { actorOf } from './release-routes.js';

const HINT = 'slipway maintenance:on -a APP [--page FILE | --default-page] [--retry-after 2m]';

/** `maintenance:on`: the app's page (HTML) or null (Slipway's), and Retry-After (a duration; bare = seconds). */
export const maintenanceOnBody = {
  schema: z
    .strictObject({
      // Characters, not bytes: the service counts the bytes HAProxy would hold.
      page: z.string().max(MAX_MAINTENANCE_PAGE_BYTES, 'the page is larger than HAProxy serves (12 KiB)').nullable(),
      retryAfter: durationSchema('s', 0, MAX_RETRY_AFTER_SEC * 1000),
    })
    .partial()
    .transform(({ page, retryAfter }) => ({
      ...(page !== undefined ? { page } : {}),
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    })),
  hint: HINT,
} satisfies BodySchema<z.ZodType>;

/** Maintenance mode: `GET` the state, `PUT` turns it on (page, Retry-After), `DELETE` turns it off. */
export function maintenanceRoutes(s: Slipway): Route[] {
  return [
    route('GET', '/v1/apps/:app/maintenance', async ({ res, params }) =>
      sendJson(res, 200, { maintenance: s.maintenance.status(s.apps.get(params['app']!).name) }),
    ),
    route('PUT', '/v1/apps/:app/maintenance', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const { page, retryAfterMs } = await readBody(ctx.req, maintenanceOnBody);
      const maintenance = await s.maintenance.on(
        app,
        {
          ...(page !== undefined ? { page } : {}),
          ...(retryAfterMs !== undefined ? { retryAfterSec: Math.ceil(retryAfterMs / 1000) } : {}),
        },
        actorOf(ctx),
      );
      sendJson(ctx.res, 200, { maintenance });
    }),
    route('DELETE', '/v1/apps/:app/maintenance', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      sendJson(ctx.res, 200, { maintenance: await s.maintenance.off(app, actorOf(ctx)) });
    }),
  ];
}
