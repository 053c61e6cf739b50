import { z } from 'zod';
import { SlipwayError } from '../core/errors.js';
import type { Slipway } from '../slipway.js';
import { appUrls } from '../apps/app-urls.js';
import { releaseInfo } from '../apps/release-info.js';
import { route, sendJson, streamOperation, type Route } from './http-kit.js';
import { readBody, type BodySchema } from './request-body.js';

export const renameBody = {
  schema: z.strictObject({ name: z.string() }),
  hint: 'slipway apps:rename OLD NEW',
} satisfies BodySchema<z.ZodType>;

/** `v3` or `3` in a path → 3. */
function releaseVersion(raw: string): number {
  const match = /^v?(\d{1,9})$/.exec(raw);
  if (!match || Number(match[1]) < 1)
    throw new SlipwayError('INVALID_INPUT', `not a release: ${JSON.stringify(raw.slice(0, 40))}`, {
      hint: 'name a release like v3 (see `slipway releases`)',
    });
  return Number(match[1]);
}

/** One-page reports (apps:info, releases:info), the app's URLs, and apps:rename. */
export function infoRoutes(s: Slipway): Route[] {
  const ports = () => ({ domain: s.env.domain, httpPort: s.env.httpPort, httpsPort: s.env.httpsPort });
  return [
    route('GET', '/v1/apps/:app/info', async ({ res, params }) =>
      sendJson(res, 200, { info: await s.info.info(s.apps.get(params['app']!).name) }),
    ),
    route('GET', '/v1/apps/:app/urls', async ({ res, params }) =>
      sendJson(res, 200, { urls: appUrls(s.store, ports(), s.apps.get(params['app']!).name) }),
    ),
    route('GET', '/v1/apps/:app/releases/:version', async ({ res, params }) => {
      const app = s.apps.get(params['app']!).name;
      sendJson(res, 200, releaseInfo(s.store, app, releaseVersion(params['version']!)));
    }),
    route('POST', '/v1/apps/:app/rename', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const { name } = await readBody(ctx.req, renameBody);
      await streamOperation(ctx, async (emit) => {
        // Like a deploy, a rename runs to its end when the client leaves.
        const outcome = await s.renames.rename(app, name, { emit });
        // The git repository moves with the app (a failure leaves it under the old name, reported).
        await s.git.repos
          .rename(app, outcome.app)
          .catch((err: unknown) =>
            emit({ type: 'info', text: `git repository not moved: ${String(err)}`, at: new Date().toISOString() }),
          );
        return { ...outcome, urls: appUrls(s.store, ports(), outcome.app) };
      });
    }),
  ];
}
