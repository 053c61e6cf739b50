import {
  analyzeSource,
  generateFiles,
  parseSlipwayYml,
  supportFiles,
  type Analysis,
  type SlipwayYml,
} from '../analyze/index.js';
import {
  assertPemCertificates,
  CA_CERT_FILE,
  MAX_CA_CERT_BYTES,
  resolveBuildOptions,
  versionOverrides,
} from '../analyze/build-options.js';
import { safeRelative } from '../analyze/read-source.js';
import { SlipwayError, isSlipwayError } from '../core/errors.js';
import type { AppSettings } from '../core/types.js';
import { stage } from '../core/events.js';
import { parseProcfile, procfileProcesses } from '../config/procfile.js';
import { buildContextStream } from './build-context.js';
import { readTextInside, resolveInside, statInside, writeFileInside } from './safe-path.js';
import { MAX_SOURCE_FILE_BYTES } from './source-files.js';
import { chooseProcfile, settingsFromSlipwayYml } from './service-definition.js';
import type { SourceBuildContext, SourceBuildResult } from './source-build-types.js';
import {
  effectiveBuildOptions,
  rememberBuildOptions,
  rememberedNote,
  type BuildOptionsInput,
} from './remembered-build-options.js';

/**
 * Builds a directory that has no Dockerfile from Slipway's source analysis (issue 4): the upload,
 * extracted into the build's private workspace, is analyzed, the generated Dockerfile, .dockerignore
 * and support files are written into that copy only (never into the user's directory; a link at
 * those names is replaced, never written through), and the engine builds it. The analysis is the one
 * source of truth for the port, the health check and the EXPOSE line (the app's settings get them,
 * unless slipway.yml says otherwise). `ctx.options`: `path` (monorepo app directory), `runtime`,
 * `baseImage`, `caCert` (PEM text from the upload); the app remembers them (remembered-build-options.ts).
 */
export async function buildFromAnalysis(ctx: SourceBuildContext): Promise<SourceBuildResult> {
  const root = ctx.workspace.src;
  const given = pick(ctx.options, 'runtime', 'baseImage', 'path', 'caCert');
  const options = effectiveBuildOptions(ctx.store, ctx.app, given);
  const path = safeRelative(options.path ?? '.');
  const shown = path === '' ? 'the deployed directory' : path;
  const display = (name: string) => (path === '' ? name : `${path}/${name}`);
  // `--path` through a symbolic link is followed only inside the upload.
  const appDir = await resolveInside(root, path, { what: 'the uploaded directory' });
  const read = (name: string) =>
    readTextInside(root, display(name), { maxBytes: MAX_SOURCE_FILE_BYTES, what: 'the uploaded directory' });

  const ymlText = await read('slipway.yml');
  const yml = ymlText === undefined ? undefined : parseSlipwayYml(ymlText, display('slipway.yml'));
  const procfileText = await read('Procfile');
  const procfile =
    procfileText === undefined ? undefined : procfileProcesses(parseProcfile(procfileText, display('Procfile')));
  const note = rememberedNote(options);
  if (note) ctx.emit({ type: 'info', text: note, at: new Date().toISOString() });

  let dockerfileNote: string;
  const keep = ['Dockerfile', '.dockerignore'];
  let analysis: Analysis | undefined;
  let release: string | undefined;
  if (path !== '' && (await statInside(root, display('Dockerfile')))?.isFile()) {
    // A monorepo app with its own Dockerfile: build that, with the app directory as the context.
    dockerfileNote = `${display('Dockerfile')} (the app's own)`;
  } else {
    const caCert = await placeCaCert(options.caCert, yml, root, display);
    if (caCert) keep.push(caCert);
    const generator = resolveBuildOptions(
      {
        ...(options.runtime ? { runtime: options.runtime } : {}),
        ...(options.baseImage ? { baseImage: options.baseImage } : {}),
        ...(caCert && options.caCert ? { caCertFile: caCert } : {}),
      },
      yml,
    );
    analysis = await analyzeOrExplain(root, path, shown, ctx, generator);
    const files = generateFiles(analysis, { ...generator, appName: ctx.app });
    await writeGenerated(root, display, files, await read('.dockerignore'));
    keep.push(...Object.keys(supportFiles(analysis)));
    ctx.emit({ type: 'info', text: summarize(analysis, generator), at: new Date().toISOString() });
    for (const warning of analysis.warnings)
      ctx.emit({ type: 'info', text: `warning: ${warning}`, at: new Date().toISOString() });
    release = releaseToRun(ctx, analysis);
    dockerfileNote = 'generated Dockerfile';
  }

  const context = await buildContextStream(appDir, keep);
  const { imageId } = await stage(
    ctx.emit,
    'build',
    `build image ${ctx.tag} from the ${dockerfileNote}`,
    () =>
      ctx.engine.buildImage({
        context,
        tag: ctx.tag,
        buildArgs: ctx.buildArgs,
        labels: ctx.labels,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        onOutput: (text) => ctx.emit({ type: 'output', source: 'build', text, at: new Date().toISOString() }),
      }),
    (r) => r.imageId.slice(0, 19),
  );

  const detected = analysis
    ? Object.fromEntries([
        ...analysis.processes.map((p) => [p.name, p.command]),
        ...(release ? [['release', release]] : []),
      ])
    : undefined;
  const build = rememberBuildOptions(ctx.store, ctx.app, given, new Date());
  const settings = yml ? settingsFromSlipwayYml(yml) : analysis ? settingsFromAnalysis(ctx, analysis) : {};
  return {
    imageId,
    imageRef: ctx.tag,
    procfile: chooseProcfile({
      ...(procfile ? { procfile } : {}),
      ...(yml ? { yml } : {}),
      ...(detected ? { detected } : {}),
    }),
    settings: { ...settings, build },
    record: {
      strategy: analysis ? 'analysis' : 'dockerfile',
      path: path || '.',
      ...(analysis ? { language: analysis.language, framework: analysis.framework } : {}),
    },
  };
}

/** Dockerfile, .dockerignore (the user's own rules last, so they win) and support files, into the private copy. */
async function writeGenerated(
  root: string,
  display: (name: string) => string,
  files: Record<string, string>,
  userIgnore: string | undefined,
): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    if (name === 'docker-compose.yml' || name === 'slipway.yml') continue;
    const content =
      name === '.dockerignore' && userIgnore !== undefined
        ? `${text}\n# from ${display('.dockerignore')}\n${userIgnore}`
        : text;
    await writeFileInside(root, display(name), content, { mode: text.startsWith('#!') ? 0o755 : 0o644 });
  }
}

/**
 * The release command to run: the analysis's, unless it needs config the app does not have yet
 * (a database URL): then the deploy says so and skips it, instead of failing without a database.
 */
function releaseToRun(ctx: SourceBuildContext, analysis: Analysis): string | undefined {
  const command = analysis.releaseCommand;
  if (!command || analysis.releaseRequires.length === 0) return command ?? undefined;
  const config = ctx.store.apps.config(ctx.app);
  if (analysis.releaseRequires.some((name) => config[name])) return command;
  ctx.emit({
    type: 'info',
    text:
      `release command "${command}" not run: ${analysis.releaseRequires.join(' or ')} is not set ` +
      `(\`slipway config:set -a ${ctx.app} ${analysis.releaseRequires[0]}=…\`, then deploy again)`,
    at: new Date().toISOString(),
  });
  return undefined;
}

/** The port and health check kind the analysis found: the app's settings get them (analyze and deploy agree). */
function settingsFromAnalysis(ctx: SourceBuildContext, analysis: Analysis): Partial<AppSettings> {
  const current = ctx.store.apps.get(ctx.app).settings.healthcheck;
  // `path: undefined` is a TCP check, replacing a path the app had.
  return { port: analysis.port, healthcheck: { ...current, path: analysis.healthcheckPath ?? undefined } };
}

/** Runs the analyzer; an empty or unrecognized directory becomes a NO_DOCKERFILE error that says so. */
async function analyzeOrExplain(
  root: string,
  path: string,
  shown: string,
  ctx: SourceBuildContext,
  options: { runtime?: 'official' | 'debian'; baseImage?: string },
): Promise<Analysis> {
  const config = ctx.store.apps.config(ctx.app);
  try {
    return await analyzeSource(root, {
      path: path || '.',
      env: versionOverrides(config, ctx.buildArgs),
      ...(options.runtime ? { runtime: options.runtime } : {}),
      ...(options.baseImage ? { baseImage: options.baseImage } : {}),
    });
  } catch (err) {
    const details = isSlipwayError(err) ? err.details : undefined;
    // Malformed manifests name their file (details.file); only "nothing to go on" is rephrased.
    if (
      !isSlipwayError(err) ||
      err.code !== 'INVALID_INPUT' ||
      !details ||
      details['path'] === undefined ||
      details['file'] !== undefined
    )
      throw err;
    const entries = details['entries'] as string[] | undefined;
    const message = entries
      ? `no Dockerfile in ${shown}, and Slipway cannot tell what kind of app it is ` +
        `(found ${entries.slice(0, 8).join(', ')}${entries.length > 8 ? ', …' : ''})`
      : `no Dockerfile in ${shown}, and ${path === '' ? 'it is empty' : 'that directory is empty or missing'}`;
    throw new SlipwayError('NO_DOCKERFILE', message, { ...(err.hint ? { hint: err.hint } : {}), details, cause: err });
  }
}

/**
 * The CA certificate for the build: the PEM text uploaded with `--ca-cert` (written into the copy
 * as slipway-ca.crt), else the file slipway.yml build.caCert names (it must be PEM certificates
 * only, inside the upload).
 */
async function placeCaCert(
  pem: string | undefined,
  yml: SlipwayYml | undefined,
  root: string,
  display: (n: string) => string,
): Promise<string | undefined> {
  if (pem !== undefined) {
    assertPemCertificates(pem, 'the --ca-cert file');
    await writeFileInside(root, display(CA_CERT_FILE), pem);
    return CA_CERT_FILE;
  }
  const named = yml?.build?.caCert;
  if (!named) return undefined;
  const text = await readTextInside(root, display(named), {
    maxBytes: MAX_CA_CERT_BYTES,
    what: 'the uploaded directory',
  });
  if (text === undefined) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `${display('slipway.yml')}: build.caCert names ${named}, which is not in the deployed directory`,
      {
        hint: 'commit the certificate next to slipway.yml, or pass --ca-cert FILE to slipway deploy',
      },
    );
  }
  assertPemCertificates(text, display(named));
  return named;
}

function summarize(a: Analysis, options: { runtime?: string; baseImage?: string; caCert?: string }): string {
  const why = (topic: string) => {
    const e = a.evidence.find((x) => x.topic === topic);
    return e ? ` (${e.file}${e.line ? `:${e.line}` : ''}: ${e.reason})` : '';
  };
  const v = a.runtimeVersion;
  const needs = a.releaseRequires.length ? ` (once ${a.releaseRequires.join(' or ')} is set)` : '';
  const parts = [
    `analyzed ${a.path}: ${a.language}${why('language')}`,
    a.framework ? `framework ${a.framework}${why('framework')}` : 'no framework',
    v.runtime === 'none' ? '' : `${v.runtime} ${v.version} (${v.reason})`,
    a.packageManager ? `${a.packageManager}${why('packageManager')}` : '',
    `processes ${a.processes.map((p) => `${p.name}: ${p.command}`).join('; ') || 'none'}`,
    a.releaseCommand ? `release: ${a.releaseCommand}${needs}` : '',
    `runtime ${options.runtime ?? 'official'}${options.baseImage ? ` on ${options.baseImage}` : ''}` +
      `${options.caCert ? `, extra CA ${options.caCert}` : ''}`,
  ];
  return parts.filter(Boolean).join(' · ');
}

function pick(options: Record<string, string>, ...keys: Array<keyof BuildOptionsInput>): BuildOptionsInput {
  return Object.fromEntries(keys.filter((k) => options[k] !== undefined).map((k) => [k, options[k]!]));
}
