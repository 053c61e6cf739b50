import { SlipwayError } from '../core/errors.js';
import type { SlipwayEvent } from '../core/events.js';
import type { Slipway } from '../main.js';
import { route, readJson, streamOperation, type Route, type RequestContext } from './http-kit.js';

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
      const body = await readJson(ctx.req);
      const raw = body['version'];
      if (raw !== undefined && (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1)) {
        throw new SlipwayError('INVALID_INPUT', 'version must be a release number', {
          hint: 'slipway rollback -a APP v3',
        });
      }
      await streamOperation(ctx, (emit) =>
        s.apps.rollback(app, raw as number | undefined, { emit: emitTo(emit), actor: actorOf(ctx) }),
      );
    }),
    route('POST', '/v1/apps/:app/restart', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const body = await readJson(ctx.req);
      const types = body['types'] ?? [];
      if (!Array.isArray(types) || types.some((t) => typeof t !== 'string'))
        throw new SlipwayError('INVALID_INPUT', 'types must be a list of process types');
      await streamOperation(ctx, (emit) =>
        s.apps.restart(app, types as string[], { emit: emitTo(emit), actor: actorOf(ctx) }),
      );
    }),
  ];
}
