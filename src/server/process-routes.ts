import type { SlipwayEvent } from '../core/events.js';
import type { Slipway } from '../slipway.js';
import { route, sendJson, streamOperation, type Route } from './http-kit.js';
import { readBody } from './request-body.js';
import { runBody } from './api-schemas.js';
import { execBody, startBody, stopBody } from './process-schemas.js';
import { streamRunOutput } from './run-routes.js';

/** `run --detach`, `ps:exec` (non-interactive; `-i` is an upgrade, see run-routes), `ps:stop`, `ps:start`. */
export function processRoutes(s: Slipway): Route[] {
  const emitTo = (emit: (e: unknown) => void) => (event: SlipwayEvent) => emit(event);
  return [
    route('POST', '/v1/apps/:app/runs/detached', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const { command, release } = await readBody(ctx.req, runBody);
      const run = await s.runs.startDetached({ app, command, ...(release ? { release } : {}) });
      sendJson(ctx.res, 201, { run });
    }),
    route('POST', '/v1/apps/:app/exec', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const { command, dyno } = await readBody(ctx.req, execBody);
      const run = await s.execs.start({ app, command, ...(dyno ? { dyno } : {}), stdin: false, tty: false });
      await streamRunOutput(ctx, run, `running in ${run.dyno} (v${run.release})`);
    }),
    route('POST', '/v1/apps/:app/ps/stop', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const { targets } = await readBody(ctx.req, stopBody);
      await streamOperation(ctx, (emit) =>
        s.processControl.stop(app, targets, { emit: emitTo(emit), actor: ctx.actor, signal: ctx.signal }),
      );
    }),
    route('POST', '/v1/apps/:app/ps/start', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const { types } = await readBody(ctx.req, startBody);
      await streamOperation(ctx, (emit) =>
        s.processControl.start(app, types ?? [], { emit: emitTo(emit), actor: ctx.actor, signal: ctx.signal }),
      );
    }),
  ];
}
