import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SlipwayError } from '../core/errors.js';
import type { DeployStrategy } from '../core/types.js';
import { makeRedactor } from '../core/redact.js';
import type { SlipwayEvent } from '../core/events.js';
import type { Slipway } from '../main.js';
import { route, readJson, sendJson, startNdjson, streamOperation, writeNdjson, type Route } from './http-kit.js';
import { listProcesses } from './process-list.js';
import { domainRoutes } from './domain-routes.js';
import { releaseRoutes, actorOf } from './release-routes.js';
import { runRoutes } from './run-routes.js';
import { buildRoutes, buildInputsFrom } from './build-routes.js';

function parseStrategy(value: unknown): DeployStrategy | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'rolling' || value === 'blue-green') return value;
  throw new SlipwayError('INVALID_INPUT', `unknown deploy strategy ${JSON.stringify(value)}`, { hint: 'use --strategy rolling or --strategy blue-green' });
}

function stringList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new SlipwayError('INVALID_INPUT', `${what} must be a list of strings`);
  return value as string[];
}

function stringMap(value: unknown, what: string): Record<string, string> {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new SlipwayError('INVALID_INPUT', `${what} must be an object of strings`);
  }
  return value as Record<string, string>;
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
        throw new SlipwayError('INVALID_INPUT', 'a deploy needs an image or a source archive', { hint: 'slipway deploy DIR, or slipway deploy --image IMAGE' });
      }
      const image = body['image'];
      const strategy = parseStrategy(body['strategy']);
      await streamOperation(ctx, (emit) => s.apps.deployImage(app, image, { emit: emitTo(emit), actor: actorOf(ctx), ...(strategy ? { strategy } : {}) }));
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
      if (deployment.app !== app.name) throw new SlipwayError('NOT_FOUND', `deployment ${params['id']} is not one of ${app.name}'s`);
      sendJson(res, 200, { deployment, events: s.store.deployments.events(deployment.id) });
    }),
    route('GET', '/v1/apps/:app/config', async ({ res, params }) => sendJson(res, 200, { config: s.apps.config(params['app']!) })),
    route('PATCH', '/v1/apps/:app/config', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const body = await readJson(ctx.req);
      const set = stringMap(body['set'], 'set');
      const unset = stringList(body['unset'], 'unset');
      await streamOperation(ctx, (emit) => s.apps.changeConfig(app, set, unset, { emit: emitTo(emit), actor: actorOf(ctx) }));
    }),
    route('GET', '/v1/apps/:app/settings', async ({ res, params }) => sendJson(res, 200, { settings: s.apps.get(params['app']!).settings })),
    route('PATCH', '/v1/apps/:app/settings', async ({ req, res, params }) => {
      const body = await readJson(req);
      const settings = s.apps.updateSettings(params['app']!, stringMap(body['set'], 'set'));
      await s.syncRouter();
      sendJson(res, 200, { settings });
    }),
    route('GET', '/v1/apps/:app/ps', async ({ res, params }) => {
      const app = s.apps.get(params['app']!);
      const routerServers = await s.router.serverStatuses(app.name).catch(() => []);
      sendJson(res, 200, { processes: await listProcesses(s, app.name), formation: s.store.apps.formation(app.name), routerServers });
    }),
    route('POST', '/v1/apps/:app/scale', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const body = await readJson(ctx.req);
      const formation = body['formation'];
      if (!formation || typeof formation !== 'object' || Object.values(formation).some((v) => typeof v !== 'number')) {
        throw new SlipwayError('INVALID_INPUT', 'formation must map process types to counts', { hint: 'slipway ps:scale web=2 worker=1' });
      }
      await streamOperation(ctx, (emit) => s.apps.scale(app, formation as Record<string, number>, { emit: emitTo(emit), actor: actorOf(ctx) }));
    }),
    route('GET', '/v1/apps/:app/logs', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const tail = Number(ctx.query.get('tail') ?? 100);
      const process = ctx.query.get('ps') ?? undefined;
      const redact = makeRedactor(s.store.apps.config(app));
      const lines = s.logs.lines(app, { follow: ctx.query.get('follow') === '1', tail, ...(process ? { process } : {}), signal: ctx.signal, redact });
      startNdjson(ctx.res);
      for await (const line of lines) writeNdjson(ctx.res, line);
      ctx.res.end();
    }),
    ...releaseRoutes(s),
    ...runRoutes(s, s.runs),
    ...domainRoutes(s),
    ...buildRoutes(s),
  ];
}

async function deploySource(s: Slipway, ctx: Parameters<Route['handler']>[0], app: string): Promise<void> {
  const file = join(s.paths.tmp, `upload-${Date.now()}-${randomBytes(4).toString('hex')}.tar`);
  try {
    await pipeline(ctx.req, createWriteStream(file));
    const pairs = (name: string) => Object.fromEntries(ctx.query.getAll(name).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const buildArgs = pairs('buildArg');
    const options = pairs('option');
    const dockerfile = ctx.query.get('dockerfile') ?? undefined;
    const description = ctx.query.get('source') ?? 'uploaded directory';
    const strategy = parseStrategy(ctx.query.get('strategy') ?? undefined);
    await streamOperation(ctx, (emit) =>
      s.apps.deploySource(app, file, { description, buildArgs, options, actor: actorOf(ctx), build: buildInputsFrom(ctx), ...(strategy ? { strategy } : {}), ...(dockerfile ? { dockerfile } : {}), emit: (event) => emit(event) }),
    );
  } finally {
    await rm(file, { force: true });
  }
}
