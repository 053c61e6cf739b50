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
    // builds:attach: a running git-push build's events from the start (kept in memory), then the rest as they
    // come, then its outcome; a finished build's stored log and record.
    route('GET', '/v1/apps/:app/builds/:id/events', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const id = ctx.params['id']!;
      if (!s.git.followers.has(app, id)) {
        const { build, log } = s.history.build(app, id);
        await streamOperation(ctx, async (emit) => {
          for (const text of log.split('\n').filter(Boolean))
            emit({ type: 'output', source: 'build', text, at: build.finishedAt ?? build.startedAt });
          if (build.status === 'failed' && build.error)
            throw new SlipwayError(build.error.code as 'BUILD_FAILED', build.error.message, {
              ...(build.error.hint ? { hint: build.error.hint } : {}),
            });
          return { build };
        });
        return;
      }
      await streamOperation(
        ctx,
        (emit) =>
          new Promise((resolve, reject) => {
            const stop = s.git.followers.follow(id, ({ event, end }) => {
              if (event) emit(event);
              if (!end) return;
              ctx.signal.removeEventListener('abort', onAbort);
              if (end.ok) resolve(end.result);
              else reject(end.error);
            });
            const onAbort = () => {
              stop();
              reject(new SlipwayError('ABORTED', 'the client left; the build goes on'));
            };
            ctx.signal.addEventListener('abort', onAbort);
          }),
      );
    }),
    route('GET', '/v1/apps/:app/inspect/:target', async ({ res, params }) => {
      const app = s.apps.get(params['app']!).name;
      sendJson(res, 200, { grid: await s.history.inspect(app, params['target']!) });
    }),
  ];
}
