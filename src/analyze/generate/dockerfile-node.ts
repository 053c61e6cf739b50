import { officialImage } from '../runtime-images.js';
import type { Analysis } from '../types.js';
import { interpretedDockerfile, type InterpretedRecipe } from './dockerfile-interpreted.js';
import { analysisEnv } from './dockerfile-common.js';
import { DEBIAN_BASE, type GenerateOptions } from './options.js';

function hasLockfile(analysis: Analysis): boolean {
  return analysis.build.manifests.some((m) => /(lock|shrinkwrap)/.test(m));
}

/** The install command; `production` omits devDependencies. */
export function nodeInstall(analysis: Analysis, production: boolean): string {
  const locked = hasLockfile(analysis);
  const berry = analysis.packageManager === 'yarn' && /^[2-9]/.test(analysis.build.packageManagerVersion ?? '1');
  switch (analysis.packageManager) {
    case 'pnpm':
      return `pnpm install${locked ? ' --frozen-lockfile' : ''}${production ? ' --prod' : ''}`;
    case 'yarn':
      return berry
        ? 'yarn install --immutable'
        : `yarn install${locked ? ' --frozen-lockfile' : ''}${production ? ' --production' : ''}`;
    case 'bun':
      return `bun install${locked ? ' --frozen-lockfile' : ''}${production ? ' --production' : ''}`;
    default:
      return locked ? `npm ci${production ? ' --omit=dev' : ''}` : `npm install${production ? ' --omit=dev' : ''}`;
  }
}

function prune(analysis: Analysis): string | undefined {
  switch (analysis.packageManager) {
    case 'pnpm':
      return 'pnpm prune --prod';
    case 'yarn':
      return /^[2-9]/.test(analysis.build.packageManagerVersion ?? '1')
        ? undefined
        : `${nodeInstall(analysis, true)} --ignore-scripts --prefer-offline`;
    case 'bun':
      return `rm -rf node_modules && ${nodeInstall(analysis, true)}`;
    default:
      return 'npm prune --omit=dev';
  }
}

/** Installs the package manager itself when the base image lacks it. */
function packageManagerSetup(analysis: Analysis, debian: boolean): string[] {
  const version = analysis.build.packageManagerVersion;
  switch (analysis.packageManager) {
    case 'pnpm':
      return [`RUN npm install -g pnpm@${version ?? '9'}`];
    case 'yarn':
      if (version && /^[2-9]/.test(version)) return ['RUN npm install -g corepack && corepack enable'];
      return debian ? [`RUN npm install -g yarn@${version ?? '1'}`] : [];
    case 'bun':
      return debian ? [`RUN npm install -g bun${version ? `@${version}` : ''}`] : [];
    default:
      return [];
  }
}

export function nodeDockerfile(analysis: Analysis, opts: GenerateOptions): string {
  const debian = opts.runtime === 'debian';
  const bun = analysis.packageManager === 'bun';
  const v = analysis.runtimeVersion.version;
  const base = opts.baseImage ?? (debian ? DEBIAN_BASE : bun ? 'oven/bun:1-slim' : officialImage('node', v));
  const setup = packageManagerSetup(analysis, debian);
  const commands = analysis.processes.map((p) => p.command.split(/\s+/)[0]);
  const needsPm =
    analysis.packageManager !== null && analysis.packageManager !== 'npm' && commands.includes(analysis.packageManager);
  const needsNpm = debian && (commands.includes('npm') || (needsPm && setup.length > 0));
  const build = analysis.build.command;
  const recipe: InterpretedRecipe = {
    base,
    langBuild: debian ? ['nodejs', 'npm'] : [],
    langRuntime: debian ? ['nodejs', ...(needsNpm ? ['npm'] : [])] : [],
    env: [['PATH', '/app/node_modules/.bin:$PATH']],
    runtimeEnv: analysisEnv(analysis),
    setup,
    runtimeSetup: needsPm ? setup : [],
    install: nodeInstall(analysis, !build),
    ...(build ? { build: [build] } : {}),
    ...(build ? { prune: prune(analysis) } : {}),
    depsPaths: ['/app/node_modules'],
  };
  return interpretedDockerfile(analysis, opts, recipe);
}
