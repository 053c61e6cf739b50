import type { Analysis } from '../types.js';
import {
  APP_USER,
  aptInstall,
  caCertLines,
  caPackages,
  copyManifestLines,
  createUserLines,
  envLines,
  header,
  render,
  runLines,
} from './dockerfile-common.js';
import type { GenerateOptions } from './options.js';

/** What a language adds to the shared build → runtime template (Node, Python, Ruby). */
export interface InterpretedRecipe {
  base: string;
  /** Debian packages providing the language in the build (or only) stage; empty on official images. */
  langBuild: string[];
  /** Debian packages providing the language at runtime; empty on official images. */
  langRuntime: string[];
  /** Env for every stage (tool settings, app defaults). */
  env: Array<[string, string]>;
  /** Env for the runtime stage only (NODE_ENV=production would drop devDependencies a build needs). */
  runtimeEnv?: Array<[string, string]>;
  /** RUN lines before the manifests are copied (tool installs, venv). */
  setup: string[];
  /** RUN lines the runtime stage needs (e.g. a package manager used by the start command). */
  runtimeSetup: string[];
  /** Installs the dependencies from the manifests. */
  install: string;
  /** Build step after the whole source is copied. */
  build?: string[];
  /** Drops build-only dependencies after the build step. */
  prune?: string;
  /** Directories outside /app holding installed dependencies, copied into the runtime stage. */
  depsPaths: string[];
  /** Tooling (poetry, pipenv) must not ship: always use a separate build stage. */
  forceBuildStage?: boolean;
}

/**
 * The OS packages come right after FROM, before WORKDIR and ENV: that layer then depends only on
 * the base image and the package list, so every app of the same runtime shares it, and builds of
 * different runtimes running at the same time never create two copies of a common first layer
 * (the classic builder's cache then picks the newest copy, and a later rebuild misses the cache
 * for every step after it — what made the e2e cache test fail on a clean machine).
 * Dependencies are installed from the manifests before the rest of the source is copied (cache-friendly).
 * A separate build stage is used when there is a build step, compilers, or build-only tooling;
 * the runtime stage then gets runtime OS packages only.
 */
export function interpretedDockerfile(analysis: Analysis, opts: GenerateOptions, recipe: InterpretedRecipe): string {
  const runtimeEnv: Array<[string, string]> = [
    ...recipe.env,
    ...(recipe.runtimeEnv ?? []),
    ['PORT', String(analysis.port)],
  ];
  const { build, runtime } = analysis.osPackages;
  const multiStage = Boolean(recipe.build?.length) || build.length > 0 || Boolean(recipe.forceBuildStage);
  const lines = header(analysis, opts);

  if (!multiStage) {
    lines.push(
      '',
      `FROM ${recipe.base}`,
      ...aptInstall([...recipe.langBuild, ...runtime, ...caPackages(opts.caCert)]),
      ...caCertLines(opts.caCert),
      'WORKDIR /app',
      ...envLines(runtimeEnv),
      ...recipe.setup,
      ...recipe.runtimeSetup.filter((line) => !recipe.setup.includes(line)),
      '',
      '# Dependencies first: this layer is rebuilt only when the manifests change.',
      ...copyManifestLines(analysis),
      `RUN ${recipe.install}`,
      '',
      ...createUserLines(),
      `COPY --chown=${APP_USER}:${APP_USER} . .`,
      ...runLines(analysis, APP_USER),
    );
    return render(lines);
  }

  lines.push(
    '',
    `FROM ${recipe.base} AS build`,
    ...aptInstall([...recipe.langBuild, ...build, ...runtime, ...caPackages(opts.caCert)]),
    ...caCertLines(opts.caCert),
    'WORKDIR /app',
    ...envLines(recipe.env),
    ...recipe.setup,
    '',
    '# Dependencies first: this layer is rebuilt only when the manifests change.',
    ...copyManifestLines(analysis),
    `RUN ${recipe.install}`,
  );
  if (recipe.build?.length) {
    lines.push(
      '',
      'COPY . .',
      ...recipe.build.map((b) => `RUN ${b}`),
      ...(recipe.prune ? [`RUN ${recipe.prune}`] : []),
    );
  }
  lines.push(
    '',
    `FROM ${recipe.base}`,
    ...aptInstall([
      ...recipe.langRuntime,
      ...runtime,
      ...(recipe.runtimeSetup.length > 0 ? caPackages(opts.caCert) : []),
    ]),
    ...(recipe.runtimeSetup.length > 0 ? caCertLines(opts.caCert) : []),
    'WORKDIR /app',
    ...envLines(runtimeEnv),
    ...recipe.runtimeSetup,
    ...createUserLines(),
    ...recipe.depsPaths
      .filter((p) => !recipe.build?.length || !p.startsWith('/app/'))
      .map((p) => `COPY --from=build ${p} ${p}`),
    recipe.build?.length
      ? `COPY --from=build --chown=${APP_USER}:${APP_USER} /app /app`
      : `COPY --chown=${APP_USER}:${APP_USER} . .`,
    ...runLines(analysis, APP_USER),
  );
  return render(lines);
}
