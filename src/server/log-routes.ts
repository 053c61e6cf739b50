import { makeRedactor } from '../core/redact.js';
import { parseProcessFilter, parseTail } from '../logs/log-limits.js';
import type { Slipway } from '../main.js';
import { route, streamNdjson, type Route } from './http-kit.js';

/** `GET /v1/apps/:app/logs?tail=N&ps=TYPE&follow=1`: NDJSON log lines, written at the client's pace. */
export function logRoutes(s: Slipway): Route[] {
  return [
    route('GET', '/v1/apps/:app/logs', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const tail = parseTail(ctx.query.get('tail'));
      const process = parseProcessFilter(ctx.query.get('ps'));
      const follow = ctx.query.get('follow') === '1';
      const redact = makeRedactor(s.store.apps.config(app));
      await streamNdjson(
        ctx,
        s.logs.lines(app, { follow, tail, ...(process ? { process } : {}), signal: ctx.signal, redact }),
      );
    }),
  ];
}
