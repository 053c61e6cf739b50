import { makeRedactor } from '../core/redact.js';
import { parseProcessFilter, parseTail } from '../logs/log-limits.js';
import { parseLogSource, sourceLines } from '../logs/log-sources.js';
import type { Slipway } from '../slipway.js';
import { route, streamNdjson, type Route } from './http-kit.js';

/**
 * `GET /v1/apps/:app/logs?tail=N&ps=TYPE&follow=1&source=app|router|all`: NDJSON log lines (the
 * containers', the router's access log, or both), written at the client's pace.
 */
export function logRoutes(s: Slipway): Route[] {
  return [
    route('GET', '/v1/apps/:app/logs', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const tail = parseTail(ctx.query.get('tail'));
      const process = parseProcessFilter(ctx.query.get('ps'));
      const follow = ctx.query.get('follow') === '1';
      const source = parseLogSource(ctx.query.get('source'));
      const redact = makeRedactor(s.apps.config(app));
      await streamNdjson(
        ctx,
        sourceLines({ app: s.logs, router: s.routerLogs }, source, app, {
          follow,
          tail,
          ...(process ? { process } : {}),
          signal: ctx.signal,
          redact,
        }),
      );
    }),
  ];
}
