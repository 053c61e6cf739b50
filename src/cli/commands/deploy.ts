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
import { APP, JSON_STREAM, type Command } from '../command.js';
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

export const deployCommand: Command = {
  name: 'deploy',
  group: 'deploy',
  args: '[DIR]',
  options: [
    APP,
    { name: 'image', value: 'IMAGE', description: 'deploy an image that is already on the host' },
    { name: 'build', value: 'ID', description: 'deploy a recorded build (see `slipway builds`)' },
    {
      name: 'strategy',
      value: 'rolling|blue-green',
      description: 'how web containers are replaced',
      default: "the app's deploy.strategy",
      choices: ['rolling', 'blue-green'],
    },
    {
      name: 'dockerfile',
      value: 'FILE',
      description: 'the Dockerfile to build, relative to DIR',
      default: 'Dockerfile',
    },
    { name: 'build-arg', value: 'K=V', multiple: true, description: 'a Docker build argument' },
    {
      name: 'path',
      value: 'SUB',
      description: 'the app inside a monorepo, relative to DIR (remembered)',
      default: "the app's build.path, else the root",
    },
    {
      name: 'runtime',
      value: 'official|debian',
      description: "the language's official images, or Debian's own packages (remembered)",
      default: "the app's build.runtime, else official",
      choices: ['official', 'debian'],
    },
    {
      name: 'base-image',
      value: 'IMAGE',
      description: 'base image of the generated Dockerfile (remembered)',
      default: "the app's build.base-image",
    },
    {
      name: 'ca-cert',
      value: 'FILE',
      description: 'extra CA certificates (PEM) for builds behind an intercepting proxy (remembered)',
      default: "the app's build.ca-cert",
    },
    {
      name: 'file',
      short: 'F',
      value: 'FILE',
      description: 'the build.yml to use, relative to DIR',
      default: 'build.yml',
    },
    {
      name: 'secret',
      value: 'NAME[=@FILE]',
      multiple: true,
      description:
        'a build secret from the environment (NAME) or a file (NAME=@FILE); only build.yml steps that list it get it',
    },
    { name: 'env', value: 'K=V', multiple: true, description: 'a ${VAR} of build.yml' },
    { name: 'tag', value: 'IMAGE:TAG', multiple: true, description: 'also tag the built image' },
    JSON_STREAM,
  ],
  examples: [
    'slipway deploy -a shop ./shop',
    'slipway deploy -a shop --image shop:1.4.2',
    'slipway deploy -a shop --build lmn3x-4f2a9c',
    'slipway deploy -a shop . --runtime debian --ca-cert /etc/ssl/certs/ca-certificates.crt',
  ],
  summary: 'build DIR (default .) or take IMAGE, make a release and roll it out with zero downtime',
  async run(ctx) {
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
};
