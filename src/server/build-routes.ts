import { rm } from 'node:fs/promises';
import { SlipwayError } from '../core/errors.js';
import type { Slipway } from '../main.js';
import { BuildService } from '../image-build/build-service.js';
import type { BuildInputs } from '../image-build/build-recording.js';
import { sourceInfoFromQuery } from '../image-build/source-info.js';
import { inspectGrid } from '../image-build/build-grid.js';
import { route, sendJson, streamOperation, type RequestContext, type Route } from './http-kit.js';
import { actorOf } from './release-routes.js';
import { receiveUpload } from './upload.js';

export const SECRETS_HEADER = 'x-slipway-build-secrets';

/** Build secrets travel in a header (base64 JSON), never in the URL or the stored request. */
function secretsFrom(ctx: RequestContext): Record<string, string> {
  const raw = ctx.req.headers[SECRETS_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    throw new SlipwayError('INVALID_INPUT', 'the build secrets header is not base64 JSON');
  }
  if (
    !parsed ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    Object.values(parsed).some((v) => typeof v !== 'string')
  ) {
    throw new SlipwayError('INVALID_INPUT', 'build secrets must map names to strings');
  }
  return parsed as Record<string, string>;
}

/** Build-record inputs of a source upload (deploy DIR and build DIR): source info, secrets, env, tags. */
export function buildInputsFrom(ctx: RequestContext): BuildInputs {
  const env = Object.fromEntries(
    ctx.query.getAll('env').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const buildFile = ctx.query.get('buildFile') ?? undefined;
  const tags = ctx.query.getAll('tag');
  return {
    source: sourceInfoFromQuery(ctx.query),
    secrets: secretsFrom(ctx),
    env,
    ...(buildFile ? { buildFile } : {}),
    ...(tags.length ? { tags } : {}),
    startedBy: actorOf(ctx),
  };
}

/** Builds without deploying, build records, deploying a recorded build, and the grid (inspect). */
export function buildRoutes(s: Slipway): Route[] {
  const builds = new BuildService({ engine: s.engine, store: s.store });
  return [
    route('POST', '/v1/apps/:app/builds', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const file = await receiveUpload(ctx, s.paths.tmp, s.env.upload);
      try {
        const buildArgs = Object.fromEntries(
          ctx.query.getAll('buildArg').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
        );
        const dockerfile = ctx.query.get('dockerfile') ?? undefined;
        const description = ctx.query.get('source') ?? 'uploaded directory';
        await streamOperation(ctx, async (emit) => {
          const build = await builds.fromSource(app, file, {
            description,
            buildArgs,
            ...(dockerfile ? { dockerfile } : {}),
            actor: actorOf(ctx),
            build: buildInputsFrom(ctx),
            ...(s.env.upload ? { limits: s.env.upload } : {}),
            emit: (event) => emit(event),
            signal: ctx.signal,
          });
          return s.store.buildRecords.get(app, build.buildRecord!);
        });
      } finally {
        await rm(file, { force: true });
      }
    }),
    route('GET', '/v1/apps/:app/builds', async ({ res, params }) => {
      const app = s.apps.get(params['app']!).name;
      const releases = s.store.buildRecords.releasesByBuild(app);
      const records = s.store.buildRecords
        .list(app)
        .map((r) => ({ ...r, releases: r.buildId === null ? [] : (releases.get(r.buildId) ?? []) }));
      sendJson(res, 200, { builds: records });
    }),
    route('GET', '/v1/apps/:app/builds/:id', async ({ res, params }) => {
      const app = s.apps.get(params['app']!).name;
      const record = s.store.buildRecords.get(app, params['id']!);
      sendJson(res, 200, { build: record, log: s.store.buildRecords.log(record.id) });
    }),
    route('POST', '/v1/apps/:app/builds/:id/deploy', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const id = ctx.params['id']!;
      s.store.buildRecords.get(app, id);
      await streamOperation(ctx, (emit) =>
        s.apps.deployBuild(app, id, { emit: (event) => emit(event), actor: actorOf(ctx) }),
      );
    }),
    route('GET', '/v1/apps/:app/inspect/:target', async ({ res, params }) => {
      const app = s.apps.get(params['app']!).name;
      sendJson(res, 200, { grid: await inspectGrid(s, app, decodeURIComponent(params['target']!)) });
    }),
  ];
}
