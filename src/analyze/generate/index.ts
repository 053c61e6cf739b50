import type { Analysis } from '../types.js';
import { generateCompose } from './compose.js';
import { goDockerfile } from './dockerfile-go.js';
import { nodeDockerfile } from './dockerfile-node.js';
import { phpDockerfile } from './dockerfile-php.js';
import { pythonDockerfile } from './dockerfile-python.js';
import { rubyDockerfile } from './dockerfile-ruby.js';
import { staticDockerfile } from './dockerfile-static.js';
import { generateDockerignore } from './dockerignore.js';
import type { GenerateOptions } from './options.js';
import { phpScriptFile, phpServerScript } from './php-server-scripts.js';
import { generateSlipwayYml } from './slipway-yml.js';

export type { GenerateOptions } from './options.js';

const DOCKERFILES: Record<Analysis['language'], (analysis: Analysis, opts: GenerateOptions) => string> = {
  node: nodeDockerfile,
  python: pythonDockerfile,
  ruby: rubyDockerfile,
  php: phpDockerfile,
  go: goDockerfile,
  static: staticDockerfile,
};

export function generateDockerfile(analysis: Analysis, opts: GenerateOptions = {}): string {
  return DOCKERFILES[analysis.language](analysis, opts);
}

/** Files the generated Dockerfile copies in (a PHP server's start script), by app-relative path. */
export function supportFiles(analysis: Analysis): Record<string, string> {
  const server = analysis.build.phpServer;
  return server ? { [phpScriptFile(server)]: phpServerScript(server) } : {};
}

/** Every file `slipway init` writes, by path relative to the app directory. Pure. */
export function generateFiles(analysis: Analysis, opts: GenerateOptions = {}): Record<string, string> {
  return {
    Dockerfile: generateDockerfile(analysis, opts),
    '.dockerignore': generateDockerignore(analysis),
    'docker-compose.yml': generateCompose(analysis, opts),
    'slipway.yml': generateSlipwayYml(analysis, opts),
    ...supportFiles(analysis),
  };
}
