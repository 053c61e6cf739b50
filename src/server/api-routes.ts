import { SlipwayError } from '../core/errors.js';
import type { SlipwayEvent } from '../core/events.js';
import type { Slipway } from '../slipway.js';
import { route, sendJson, streamOperation, type RequestContext, type Route } from './http-kit.js';
import { readBody, parseInput } from './request-body.js';
import { configBody, createAppBody, imageDeployBody, scaleBody, settingsBody, strategySchema } from './api-schemas.js';
import { pairsQuery } from './request-guard.js';
import { domainRoutes } from './domain-routes.js';
import { releaseRoutes, actorOf } from './release-routes.js';
import { runRoutes } from './run-routes.js';
import { processRoutes } from './process-routes.js';
import { cronRoutes } from './cron-routes.js';
import { logRoutes } from './log-routes.js';
import { maintenanceRoutes } from './maintenance-routes.js';
import { infoRoutes } from './info-routes.js';
import { nodeRoutes } from './node-routes.js';
import { registryRoutes } from './registry-routes.js';
import { authRoutes } from './auth-routes.js';
import { keyRoutes } from './key-routes.js';
import { buildRoutes, buildInputsFrom } from './build-routes.js';
import { withUpload } from './upload.js';
import { hookRoutes } from './hook-routes.js';
import { checkBuildOptions } from '../image-build/build-service.js';

/** HTTP API: each route parses its input, calls one service, and returns its result. */
export function apiRoutes(s: Slipway): Route[] {
  const emitTo = (emit: (e: unknown) => void) => (event: SlipwayEvent) => emit(event);
  return [
    route('GET', '/v1/apps', async ({ res, principal }) => {
      const apps = s.apps.list();
      const visible = new Set(
        principal
          ? s.auth.visibleApps(
              principal,
              apps.map((a) => a.name),
            )
          : [],
      );
      sendJson(res, 200, { apps: principal ? apps.filter((a) => visible.has(a.name)) : apps });
    }),
    route('POST', '/v1/apps', async ({ req, res }) => {
      const { name } = await readBody(req, createAppBody);
      sendJson(res, 201, { app: await s.apps.create(name) });
    }),
    route('GET', '/v1/apps/:app', async ({ res, params }) => sendJson(res, 200, { app: s.apps.get(params['app']!) })),
    route('DELETE', '/v1/apps/:app', async ({ res, params, query }) => {
      const outcome = await s.apps.destroy(params['app']!, query.get('confirm') ?? undefined);
      // The app's git repository goes with it.
      await s.git.repos.remove(params['app']!);
      sendJson(res, 200, outcome);
    }),
    route('POST', '/v1/apps/:app/deploys', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const type = ctx.req.headers['content-type'] ?? '';
      if (type.startsWith('application/x-tar')) return deploySource(s, ctx, app);
      const { image, strategy } = await readBody(ctx.req, imageDeployBody);
      // A member or an app token deploys registry images and its own app's builds, nothing of another app's.
      const p = ctx.principal;
      const restricted = p !== undefined && (p.user.role !== 'admin' || p.token.app !== null);
      const own = s.swarm.trust?.server;
      if (restricted && own && image.toLowerCase().startsWith(`${own.toLowerCase()}/`))
        throw new SlipwayError('FORBIDDEN', "images of Slipway's own registry are deployed by an admin", {
          details: { missing: 'the admin role' },
        });
      await streamOperation(ctx, (emit) =>
        s.apps.deployImage(app, image, {
          emit: emitTo(emit),
          actor: actorOf(ctx),
          ownImagesOnly: restricted,
          ...(strategy ? { strategy } : {}),
        }),
      );
    }),
    route('GET', '/v1/apps/:app/releases', async ({ res, params }) =>
      sendJson(res, 200, { releases: s.history.releases(s.apps.get(params['app']!).name) }),
    ),
    route('GET', '/v1/apps/:app/deployments', async ({ res, params }) =>
      sendJson(res, 200, { deployments: s.history.deployments(s.apps.get(params['app']!).name) }),
    ),
    route('GET', '/v1/apps/:app/deployments/:id/events', async ({ res, params }) => {
      const app = s.apps.get(params['app']!).name;
      sendJson(res, 200, s.history.deployment(app, recordNumber(params['id']!, 'deployment')));
    }),
    route('GET', '/v1/apps/:app/config', async ({ res, params }) =>
      sendJson(res, 200, { config: s.apps.config(params['app']!) }),
    ),
    route('PATCH', '/v1/apps/:app/config', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const { set = {}, unset = [] } = await readBody(ctx.req, configBody);
      await streamOperation(ctx, (emit) =>
        s.apps.changeConfig(app, set, unset, { emit: emitTo(emit), actor: actorOf(ctx) }),
      );
    }),
    route('GET', '/v1/apps/:app/settings', async ({ res, params }) =>
      sendJson(res, 200, { settings: s.apps.get(params['app']!).settings }),
    ),
    route('PATCH', '/v1/apps/:app/settings', async ({ req, res, params }) => {
      const { set = {} } = await readBody(req, settingsBody);
      sendJson(res, 200, await s.apps.updateSettings(params['app']!, set));
    }),
    route('GET', '/v1/apps/:app/ps', async ({ res, params }) =>
      sendJson(res, 200, await s.processes.report(s.apps.get(params['app']!).name)),
    ),
    route('POST', '/v1/apps/:app/scale', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const { formation } = await readBody(ctx.req, scaleBody);
      await streamOperation(ctx, (emit) => s.apps.scale(app, formation, { emit: emitTo(emit), actor: actorOf(ctx) }));
    }),
    ...logRoutes(s),
    ...releaseRoutes(s),
    ...runRoutes(s, s.runs),
    ...processRoutes(s),
    ...cronRoutes(s),
    ...domainRoutes(s),
    ...buildRoutes(s),
    ...maintenanceRoutes(s),
    ...infoRoutes(s),
    ...nodeRoutes(s.nodes),
    ...registryRoutes(s),
    ...authRoutes(s),
    ...hookRoutes(s),
    ...keyRoutes(s),
  ];
}

/** A numeric id from the path (a deployment's), refused plainly when it is not one. */
function recordNumber(raw: string, what: string): number {
  if (!/^\d{1,15}$/.test(raw))
    throw new SlipwayError('INVALID_INPUT', `${what} ids are numbers (got ${JSON.stringify(raw.slice(0, 40))})`);
  return Number(raw);
}

async function deploySource(s: Slipway, ctx: RequestContext, app: string): Promise<void> {
  // Size limits, gzip, member checks: upload.ts (the same as POST /builds).
  await withUpload(ctx, s.paths.tmp, s.env.upload, async (file) => {
    // Refused here, before the stream starts, so a client sees a plain 400 (the CA certificate is never an option).
    const options = checkBuildOptions(pairsQuery(ctx.query, 'option'));
    const buildArgs = pairsQuery(ctx.query, 'buildArg');
    const build = buildInputsFrom(ctx);
    const rawStrategy = ctx.query.get('strategy');
    const strategy = rawStrategy === null ? undefined : parseInput(strategyQuery, rawStrategy, 'strategy');
    const dockerfile = ctx.query.get('dockerfile') ?? undefined;
    const description = ctx.query.get('source') ?? 'uploaded directory';
    await streamOperation(ctx, (emit) =>
      s.apps.deploySource(app, file, {
        description,
        buildArgs,
        options,
        actor: actorOf(ctx),
        build,
        ...(s.env.upload ? { limits: s.env.upload } : {}),
        ...(strategy ? { strategy } : {}),
        ...(dockerfile ? { dockerfile } : {}),
        emit: (event) => emit(event),
      }),
    );
  });
}

const strategyQuery = { schema: strategySchema, hint: 'use --strategy rolling or --strategy blue-green' };
