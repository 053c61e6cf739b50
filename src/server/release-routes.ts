import type { SlipwayEvent } from '../core/events.js';
import type { Slipway } from '../slipway.js';
import { route, streamOperation, type Route, type RequestContext } from './http-kit.js';
import { readBody } from './request-body.js';
import { restartBody, rollbackBody } from './api-schemas.js';

/** Who made the request: the authenticated identity (a client-sent header is never trusted for this). */
export function actorOf(ctx: RequestContext): string {
  return ctx.actor;
}

/** Release lifecycle: rollback and restarts. */
export function releaseRoutes(s: Slipway): Route[] {
  const emitTo = (emit: (e: unknown) => void) => (event: SlipwayEvent) => emit(event);
  return [
    route('POST', '/v1/apps/:app/rollback', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const { version } = await readBody(ctx.req, rollbackBody);
      await streamOperation(ctx, (emit) => s.apps.rollback(app, version, { emit: emitTo(emit), actor: actorOf(ctx) }));
    }),
    route('POST', '/v1/apps/:app/restart', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const { types = [] } = await readBody(ctx.req, restartBody);
      await streamOperation(ctx, (emit) => s.apps.restart(app, types, { emit: emitTo(emit), actor: actorOf(ctx) }));
    }),
  ];
}
