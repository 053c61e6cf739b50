import { SlipwayError } from '../core/errors.js';
import type { Slipway } from '../slipway.js';
import type { BuildInputs } from '../image-build/build-recording.js';
import { sourceInfoFromQuery } from '../image-build/source-info.js';
import { route, sendJson, streamOperation, type RequestContext, type Route } from './http-kit.js';
import { actorOf } from './release-routes.js';
import { withUpload } from './upload.js';
import { pairsQuery } from './request-guard.js';
import { parseInput, readBody } from './request-body.js';
import { buildDeployBody, buildSecretsHeader } from './api-schemas.js';

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
    throw new SlipwayError('INVALID_INPUT', 'the build secrets header is not base64 JSON', {
      hint: buildSecretsHeader.hint,
    });
  }
  return parseInput(buildSecretsHeader, parsed, 'build secrets');
}

/** Build-record inputs of a source upload (deploy DIR and build DIR): source info, secrets, env, tags. */
export function buildInputsFrom(ctx: RequestContext): BuildInputs {
  const buildFile = ctx.query.get('buildFile') ?? undefined;
  const tags = ctx.query.getAll('tag');
  return {
    source: sourceInfoFromQuery(ctx.query),
    secrets: secretsFrom(ctx),
    env: pairsQuery(ctx.query, 'env'),
    ...(buildFile ? { buildFile } : {}),
    ...(tags.length ? { tags } : {}),
    startedBy: actorOf(ctx),
  };
}

/** Builds without deploying, build records, deploying a recorded build, and the grid (inspect). */
export function buildRoutes(s: Slipway): Route[] {
  return [
    route('POST', '/v1/apps/:app/builds', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      await withUpload(ctx, s.paths.tmp, s.env.upload, async (file) => {
        const buildArgs = pairsQuery(ctx.query, 'buildArg');
        const build = buildInputsFrom(ctx);
        const dockerfile = ctx.query.get('dockerfile') ?? undefined;
        const description = ctx.query.get('source') ?? 'uploaded directory';
        await streamOperation(ctx, async (emit) => {
          const built = await s.builds.fromSource(app, file, {
            description,
            buildArgs,
            ...(dockerfile ? { dockerfile } : {}),
            actor: actorOf(ctx),
            build,
            ...(s.env.upload ? { limits: s.env.upload } : {}),
            emit: (event) => emit(event),
            signal: ctx.signal,
          });
          return s.history.build(app, built.buildRecord!).build;
        });
      });
    }),
    route('GET', '/v1/apps/:app/builds', async ({ res, params }) =>
      sendJson(res, 200, { builds: s.history.builds(s.apps.get(params['app']!).name) }),
    ),
    route('GET', '/v1/apps/:app/builds/:id', async ({ res, params }) =>
      sendJson(res, 200, s.history.build(s.apps.get(params['app']!).name, params['id']!)),
    ),
    // ID: a build record's id (`slipway builds`) or the build number a release shows (`releases --json`: buildId).
    route('POST', '/v1/apps/:app/builds/:id/deploy', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      await readBody(ctx.req, buildDeployBody);
      await streamOperation(ctx, (emit) =>
        s.apps.deployBuild(app, ctx.params['id']!, { emit: (event) => emit(event), actor: actorOf(ctx) }),
      );
    }),
    route('GET', '/v1/apps/:app/inspect/:target', async ({ res, params }) => {
      const app = s.apps.get(params['app']!).name;
      sendJson(res, 200, { grid: await s.history.inspect(app, params['target']!) });
    }),
  ];
}
