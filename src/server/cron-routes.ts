import type { Slipway } from '../slipway.js';
import { route, sendJson, type Route } from './http-kit.js';
import { readBody } from './request-body.js';
import { intQuery } from './request-guard.js';
import { cronAddBody } from './process-schemas.js';
import { SlipwayError } from '../core/errors.js';

/** A job id from the path: a whole number. */
function jobId(raw: string | undefined): number {
  if (!raw || !/^\d{1,9}$/.test(raw))
    throw new SlipwayError('INVALID_INPUT', `not a job id: ${JSON.stringify((raw ?? '').slice(0, 40))}`, {
      hint: 'job ids are numbers (see `slipway cron -a APP`)',
    });
  return Number(raw);
}

/** Scheduled one-off jobs: `cron`, `cron:add`, `cron:remove`, `cron:runs`. */
export function cronRoutes(s: Slipway): Route[] {
  return [
    route('GET', '/v1/apps/:app/cron', async ({ res, params }) =>
      sendJson(res, 200, { jobs: s.cron.list(params['app']!), timezone: 'UTC' }),
    ),
    route('POST', '/v1/apps/:app/cron', async (ctx) => {
      const { schedule, command } = await readBody(ctx.req, cronAddBody);
      sendJson(ctx.res, 201, { job: s.cron.add(ctx.params['app']!, schedule, command, ctx.actor), timezone: 'UTC' });
    }),
    route('DELETE', '/v1/apps/:app/cron/:id', async ({ res, params }) =>
      sendJson(res, 200, { job: s.cron.remove(params['app']!, jobId(params['id'])) }),
    ),
    route('GET', '/v1/apps/:app/cron/:id/runs', async ({ res, params, query }) => {
      const limit = intQuery(query, 'limit', { min: 1, max: 1000, fallback: 20 });
      sendJson(res, 200, s.cron.runs(params['app']!, jobId(params['id']), limit));
    }),
  ];
}
