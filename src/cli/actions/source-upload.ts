import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { SlipwayError } from '../../core/errors.js';
import type { ExtraEntry } from '../../image-build/build-context.js';
import { insideRelative, readTextInside, statInside } from '../../image-build/safe-path.js';
import { MAX_SOURCE_FILE_BYTES } from '../../image-build/source-files.js';
import { readSourceInfo, sourceInfoQuery } from '../../image-build/source-info.js';
import { referencedVariables } from '../../image-build/pipeline/substitute.js';
import { SECRET_NAME } from '../../image-build/pipeline/schema.js';
import { flag, type ParsedArgs, values } from '../args.js';
import { sourceTar } from '../source-tar.js';
import { buildEnvironment } from '../build-env.js';

/** The secrets header (same name as the server's SECRETS_HEADER). */
const SECRETS_HEADER = 'x-slipway-build-secrets';

/** `--secret NAME` (value from the environment) or `--secret NAME=@FILE` (the file, without a trailing newline). */
export function readSecrets(specs: string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? spec : spec.slice(0, eq);
    if (!SECRET_NAME.test(name))
      throw new SlipwayError('INVALID_INPUT', `invalid secret name ${JSON.stringify(name)}`, {
        hint: 'a secret is named like a build argument: --secret GIT_TOKEN',
      });
    if (eq < 0) {
      const value = env[name];
      if (value === undefined)
        throw new SlipwayError('INVALID_INPUT', `--secret ${name}: ${name} is not set in the environment`, {
          hint: `export ${name}=… first, or read it from a file: --secret ${name}=@FILE`,
        });
      out[name] = value;
    } else {
      const rest = spec.slice(eq + 1);
      if (!rest.startsWith('@')) {
        throw new SlipwayError('INVALID_INPUT', `--secret ${name}=… takes @FILE, not a value`, {
          hint:
            'a value on the command line ends up in shell history: ' +
            `use --secret ${name} (from the environment) or --secret ${name}=@FILE`,
        });
      }
      try {
        out[name] = readFileSync(resolve(rest.slice(1)), 'utf8').replace(/\r?\n$/, '');
      } catch (cause) {
        throw new SlipwayError('INVALID_INPUT', `cannot read the file of secret ${name}: ${rest.slice(1)}`, {
          cause,
          hint: 'check the path after @',
        });
      }
    }
  }
  return out;
}

/**
 * The source directory as an upload: gzip tar stream, query parameters (source info, env, tags) and
 * headers (encoding, secrets).
 */
export async function sourceUpload(
  args: ParsedArgs,
  dirArg: string | undefined,
): Promise<{
  dir: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  tar: (extra?: ExtraEntry[]) => Readable;
  notes: string[];
}> {
  const dir = resolve(dirArg ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new SlipwayError('INVALID_INPUT', `${dir} is not a directory`, {
      hint: 'name the directory to build, e.g. slipway build -a APP ./app',
    });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(sourceInfoQuery(await readSourceInfo(dir)))) query.set(key, value);
  const given = flag(args, 'file');
  const buildFile = given === undefined ? undefined : insideRelative(given, '--file');
  const what = `the directory ${dir}`;
  if (buildFile) {
    if (!(await statInside(dir, buildFile, { what }))?.isFile())
      throw new SlipwayError('NO_DOCKERFILE', `no ${buildFile} in ${dir}`, {
        hint: 'the --file path is relative to the directory',
      });
    query.set('buildFile', buildFile);
  }
  // ${VAR} in build.yml: send the referenced variables from this environment (never credential-like
  // ones: the file comes with the source), then every --env.
  const pipelineText = await readTextInside(dir, buildFile ?? 'build.yml', { maxBytes: MAX_SOURCE_FILE_BYTES, what });
  const fromEnv = buildEnvironment(pipelineText === undefined ? [] : referencedVariables(pipelineText), process.env);
  const env: Record<string, string> = { ...fromEnv.taken };
  const explicit = new Set<string>();
  for (const kv of values(args, 'env')) {
    const eq = kv.indexOf('=');
    if (eq < 1) throw new SlipwayError('INVALID_INPUT', '--env takes NAME=VALUE', { hint: '--env VERSION=1.2.3' });
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
    explicit.add(kv.slice(0, eq));
  }
  const notes: string[] = [];
  if (Object.keys(fromEnv.taken).length > 0)
    notes.push(`build.yml reads ${Object.keys(fromEnv.taken).join(', ')} from your environment`);
  const withheld = fromEnv.withheld.filter((name) => !explicit.has(name));
  if (withheld.length > 0)
    notes.push(
      `warning: build.yml refers to ${withheld.join(', ')}, which look like credentials: not sent ` +
        '(pass --secret NAME for a secret, or --env NAME=VALUE on purpose)',
    );
  for (const [key, value] of Object.entries(env)) query.append('env', `${key}=${value}`);
  for (const tag of values(args, 'tag')) query.append('tag', tag);
  const secrets = readSecrets(values(args, 'secret'));
  const headers: Record<string, string> = {
    'content-encoding': 'gzip',
    ...(Object.keys(secrets).length > 0
      ? { [SECRETS_HEADER]: Buffer.from(JSON.stringify(secrets)).toString('base64') }
      : {}),
  };
  const tar = (extra: ExtraEntry[] = []) => sourceTar(dir, extra);
  return { dir, query, headers, tar, notes };
}
