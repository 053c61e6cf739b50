import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { SlipwayError } from '../../core/errors.js';
import { readCaCertFile } from '../../analyze/build-options.js';
import type { ExtraEntry } from '../../image-build/build-context.js';
import { insideRelative, lstatInside, statInside } from '../../image-build/safe-path.js';
import { RESERVED_DIR, UPLOAD_CA_ENTRY } from '../../image-build/upload-ca.js';
import { flag, requireApp, values } from '../args.js';
import { followOperation } from '../run-stream.js';
import { printUrls } from '../app-urls.js';
import type { Command, CommandRuns } from '../command.js';
import { sourceUpload } from './source-upload.js';

/**
 * The deploy flags that are source-analysis build options: flag name → option key, sent as
 * `option=KEY=VALUE` and checked by the server (checkBuildOptions). `--ca-cert` is not one: the
 * certificate travels inside the upload.
 */
export const BUILD_OPTION_FLAGS: Record<string, string> = {
  runtime: 'runtime',
  'base-image': 'baseImage',
  path: 'path',
};

function buildOptions(ctx: Parameters<Command['run']>[0]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [flagName, option] of Object.entries(BUILD_OPTION_FLAGS)) {
    const value = flag(ctx.args, flagName);
    if (value !== undefined) out[option] = value;
  }
  return out;
}

/**
 * `--ca-cert FILE` travels inside the upload as Slipway's reserved entry (PEM certificates only,
 * checked here and again on the server); a directory that has that path itself is refused.
 */
async function caCertEntry(dir: string, file: string | undefined): Promise<ExtraEntry[]> {
  if (file === undefined) return [];
  if (await lstatInside(dir, RESERVED_DIR, { what: dir })) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `${dir} has ${RESERVED_DIR}, a name Slipway reserves for the --ca-cert certificate it uploads`,
      {
        hint: `rename ${RESERVED_DIR} in the directory, or leave --ca-cert out`,
      },
    );
  }
  return [{ path: UPLOAD_CA_ENTRY, data: Buffer.from(await readCaCertFile(file)) }];
}

interface DeployResult {
  app: string;
  release: number;
  deployment: number;
  ms: number;
}

export const runs = {
  async deploy(ctx) {
    const app = requireApp(ctx.args);
    const image = flag(ctx.args, 'image');
    const strategy = flag(ctx.args, 'strategy');
    const path = `/v1/apps/${encodeURIComponent(app)}/deploys`;
    let lines;
    if (image) {
      if (ctx.args.positionals.length > 0)
        throw new SlipwayError('INVALID_INPUT', 'give either DIR or --image, not both');
      lines = ctx.api().stream('POST', path, {
        type: 'application/json',
        data: JSON.stringify({ image, ...(strategy ? { strategy } : {}) }),
      });
    } else if (flag(ctx.args, 'build')) {
      if (ctx.args.positionals.length > 0)
        throw new SlipwayError('INVALID_INPUT', 'give either DIR or --build, not both');
      lines = ctx
        .api()
        .stream(
          'POST',
          `/v1/apps/${encodeURIComponent(app)}/builds/${encodeURIComponent(flag(ctx.args, 'build')!)}/deploy`,
          { type: 'application/json', data: '{}' },
        );
    } else {
      const dir = resolve(ctx.args.positionals[0] ?? '.');
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw new SlipwayError('INVALID_INPUT', `${dir} is not a directory`, {
          hint: 'slipway deploy -a APP path/to/app, or --image IMAGE',
        });
      }
      const given = flag(ctx.args, 'dockerfile');
      const dockerfile = given === undefined ? undefined : insideRelative(given, '--dockerfile');
      if (dockerfile && !(await statInside(dir, dockerfile, { what: dir }))?.isFile()) {
        throw new SlipwayError('NO_DOCKERFILE', `no ${dockerfile} in ${dir}`, {
          hint:
            'check the --dockerfile path (relative to DIR), ' +
            'or leave it out to use DIR/Dockerfile, build.yml or source analysis',
        });
      }
      const query = new URLSearchParams({ source: dir });
      if (dockerfile) query.set('dockerfile', dockerfile);
      if (strategy) query.set('strategy', strategy);
      // Strategy options (source analysis: runtime, baseImage, path) travel as option=KEY=VALUE;
      // the CA certificate inside the upload.
      for (const [key, value] of Object.entries(buildOptions(ctx))) query.append('option', `${key}=${value}`);
      const extra = await caCertEntry(dir, flag(ctx.args, 'ca-cert'));
      for (const arg of values(ctx.args, 'build-arg')) {
        if (!arg.includes('='))
          throw new SlipwayError('INVALID_INPUT', '--build-arg takes KEY=VALUE', {
            hint: '--build-arg BASE_IMAGE=debian:bookworm',
          });
        query.append('buildArg', arg);
      }
      // build.yml inputs and the build record's source: git commit/branch/dirty or content hash,
      // --secret, --env, --file.
      const upload = await sourceUpload(ctx.args, dir);
      for (const note of upload.notes) ctx.output.err(note);
      for (const [key, value] of upload.query) query.append(key, value);
      lines = ctx.api().stream('POST', `${path}?${query}`, {
        type: 'application/x-tar',
        data: upload.tar(extra),
        headers: upload.headers,
      });
    }
    const result = (await followOperation(ctx, lines)) as DeployResult;
    if (ctx.json) return;
    ctx.output.out(`deployed ${result.app} v${result.release} in ${(result.ms / 1000).toFixed(2)}s; it answers at`);
    await printUrls(ctx, result.app);
  },
} satisfies CommandRuns;
