import { rm } from 'node:fs/promises';
import { SlipwayError } from '../core/errors.js';
import { isValidProcessType } from '../core/names.js';
import type { DeployStrategy } from '../core/types.js';
import type { SlipwayEvent } from '../core/events.js';
import type { Slipway } from '../main.js';
import { route, readJson, sendJson, streamOperation, type Route } from './http-kit.js';
import { listProcesses } from './process-list.js';
import { domainRoutes } from './domain-routes.js';
import { releaseRoutes, actorOf } from './release-routes.js';
import { runRoutes } from './run-routes.js';
import { logRoutes } from './log-routes.js';
import { buildRoutes, buildInputsFrom } from './build-routes.js';
import { receiveUpload } from './upload.js';
import { checkBuildOptions } from '../image-build/build-service.js';

function parseStrategy(value: unknown): DeployStrategy | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'rolling' || value === 'blue-green') return value;
  throw new SlipwayError('INVALID_INPUT', `unknown deploy strategy ${JSON.stringify(value)}`, {
    hint: 'use --strategy rolling or --strategy blue-green',
  });
}

function stringList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new SlipwayError('INVALID_INPUT', `${what} must be a list of strings`);
  return value as string[];
}

function stringMap(value: unknown, what: string): Record<string, string> {
  if (value === undefined) return {};
  if (
    !value ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== 'string')
  ) {
    throw new SlipwayError('INVALID_INPUT', `${what} must be an object of strings`);
  }
  return value as Record<string, string>;
}

/** `{ web: 2, worker: 1 }`: process type names (own keys, the Procfile's rules) to whole counts. */
function parseFormation(value: unknown): Record<string, number> {
  const hint = 'slipway ps:scale -a APP web=2 worker=1';
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new SlipwayError('INVALID_INPUT', 'formation must map process types to counts', { hint });
  const out: Record<string, number> = {};
  for (const [type, count] of Object.entries(value)) {
    if (!isValidProcessType(type))
      throw new SlipwayError('INVALID_INPUT', `${JSON.stringify(type.slice(0, 40))} is not a process type name`, {
        hint: 'process types are lowercase letters, digits, "_" or "-", starting with a letter; ' + hint,
      });
    if (typeof count !== 'number' || !Number.isInteger(count))
      throw new SlipwayError('INVALID_INPUT', `${type}: the count must be a whole number`, { hint });
    out[type] = count;
  }
  if (Object.keys(out).length === 0) throw new SlipwayError('INVALID_INPUT', 'nothing to scale', { hint });
  return out;
}

/** HTTP API: each route parses its input, calls one service, and returns its result. */
export function apiRoutes(s: Slipway): Route[] {
  const emitTo = (emit: (e: unknown) => void) => (event: SlipwayEvent) => emit(event);
  return [
    route('GET', '/v1/apps', async ({ res }) => sendJson(res, 200, { apps: s.apps.list() })),
    route('POST', '/v1/apps', async ({ req, res }) => {
      const body = await readJson(req);
      sendJson(res, 201, { app: await s.apps.create(body['name'] as string) });
    }),
    route('GET', '/v1/apps/:app', async ({ res, params }) => sendJson(res, 200, { app: s.apps.get(params['app']!) })),
    route('DELETE', '/v1/apps/:app', async ({ res, params, query }) =>
      sendJson(res, 200, await s.apps.destroy(params['app']!, query.get('confirm') ?? undefined)),
    ),
    route('POST', '/v1/apps/:app/deploys', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const type = ctx.req.headers['content-type'] ?? '';
      if (type.startsWith('application/x-tar')) return deploySource(s, ctx, app);
      const body = await readJson(ctx.req);
      if (typeof body['image'] !== 'string' || body['image'] === '') {
        throw new SlipwayError('INVALID_INPUT', 'a deploy needs an image or a source archive', {
          hint: 'slipway deploy DIR, or slipway deploy --image IMAGE',
        });
      }
      const image = body['image'];
      const strategy = parseStrategy(body['strategy']);
      await streamOperation(ctx, (emit) =>
        s.apps.deployImage(app, image, { emit: emitTo(emit), actor: actorOf(ctx), ...(strategy ? { strategy } : {}) }),
      );
    }),
    route('GET', '/v1/apps/:app/releases', async ({ res, params }) => {
      const app = s.apps.get(params['app']!);
      const releases = s.store.releases.list(app.name).map((r) => {
        const build = s.store.releases.build(r.buildId);
        return { ...r, current: r.version === app.currentRelease, image: build.imageRef, source: build.source };
      });
      sendJson(res, 200, { releases });
    }),
    route('GET', '/v1/apps/:app/deployments', async ({ res, params }) => {
      const app = s.apps.get(params['app']!);
      sendJson(res, 200, { deployments: s.store.deployments.list(app.name) });
    }),
    route('GET', '/v1/apps/:app/deployments/:id/events', async ({ res, params }) => {
      const app = s.apps.get(params['app']!);
      const deployment = s.store.deployments.get(Number(params['id']));
      if (deployment.app !== app.name)
        throw new SlipwayError('NOT_FOUND', `deployment ${params['id']} is not one of ${app.name}'s`);
      sendJson(res, 200, { deployment, events: s.store.deployments.events(deployment.id) });
    }),
    route('GET', '/v1/apps/:app/config', async ({ res, params }) =>
      sendJson(res, 200, { config: s.apps.config(params['app']!) }),
    ),
    route('PATCH', '/v1/apps/:app/config', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const body = await readJson(ctx.req);
      const set = stringMap(body['set'], 'set');
      const unset = stringList(body['unset'], 'unset');
      await streamOperation(ctx, (emit) =>
        s.apps.changeConfig(app, set, unset, { emit: emitTo(emit), actor: actorOf(ctx) }),
      );
    }),
    route('GET', '/v1/apps/:app/settings', async ({ res, params }) =>
      sendJson(res, 200, { settings: s.apps.get(params['app']!).settings }),
    ),
    route('PATCH', '/v1/apps/:app/settings', async ({ req, res, params }) => {
      const body = await readJson(req);
      const update = await s.apps.updateSettings(params['app']!, stringMap(body['set'], 'set'));
      await s.syncRouter();
      sendJson(res, 200, update);
    }),
    route('GET', '/v1/apps/:app/ps', async ({ res, params }) => {
      const app = s.apps.get(params['app']!);
      const routerServers = await s.router.serverStatuses(app.name).catch(() => []);
      sendJson(res, 200, {
        processes: await listProcesses(s, app.name),
        formation: s.store.apps.formation(app.name),
        routerServers,
        problems: s.apps.problems(app.name),
      });
    }),
    route('POST', '/v1/apps/:app/scale', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const body = await readJson(ctx.req);
      const formation = parseFormation(body['formation']);
      await streamOperation(ctx, (emit) => s.apps.scale(app, formation, { emit: emitTo(emit), actor: actorOf(ctx) }));
    }),
    ...logRoutes(s),
    ...releaseRoutes(s),
    ...runRoutes(s, s.runs),
    ...domainRoutes(s),
    ...buildRoutes(s),
  ];
}

async function deploySource(s: Slipway, ctx: Parameters<Route['handler']>[0], app: string): Promise<void> {
  // Size limits, gzip, member checks: upload.ts (the same as POST /builds).
  const file = await receiveUpload(ctx, s.paths.tmp, s.env.upload);
  try {
    const pairs = (name: string) =>
      Object.fromEntries(
        ctx.query.getAll(name).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
    const buildArgs = pairs('buildArg');
    // Refused here, before the stream starts, so a client sees a plain 400 (the CA certificate is never an option).
    const options = checkBuildOptions(pairs('option'));
    const dockerfile = ctx.query.get('dockerfile') ?? undefined;
    const description = ctx.query.get('source') ?? 'uploaded directory';
    const strategy = parseStrategy(ctx.query.get('strategy') ?? undefined);
    await streamOperation(ctx, (emit) =>
      s.apps.deploySource(app, file, {
        description,
        buildArgs,
        options,
        actor: actorOf(ctx),
        build: buildInputsFrom(ctx),
        ...(s.env.upload ? { limits: s.env.upload } : {}),
        ...(strategy ? { strategy } : {}),
        ...(dockerfile ? { dockerfile } : {}),
        emit: (event) => emit(event),
      }),
    );
  } finally {
    await rm(file, { force: true });
  }
}
