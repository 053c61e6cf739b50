import { officialImage } from '../runtime-images.js';
import type { Analysis } from '../types.js';
import { analysisEnv } from './dockerfile-common.js';
import { interpretedDockerfile } from './dockerfile-interpreted.js';
import { DEBIAN_BASE, type GenerateOptions } from './options.js';

const BUNDLE_PATH = '/usr/local/bundle';

/**
 * Gems are installed into /usr/local/bundle (copied into the runtime stage). With only path gems the
 * install is `bundle install --local`: no gem server needed.
 */
export function rubyDockerfile(analysis: Analysis, opts: GenerateOptions): string {
  const debian = opts.runtime === 'debian';
  const base = opts.baseImage ?? (debian ? DEBIAN_BASE : officialImage('ruby', analysis.runtimeVersion.version));
  const locked = analysis.build.manifests.includes('Gemfile.lock');
  const hasGemfile = analysis.build.manifests.includes('Gemfile');
  const build = analysis.build.command ? [`SECRET_KEY_BASE_DUMMY=1 ${analysis.build.command}`] : undefined;
  return interpretedDockerfile(analysis, opts, {
    base,
    langBuild: debian ? ['ruby', 'ruby-dev', 'bundler'] : [],
    langRuntime: debian ? ['ruby', 'bundler'] : [],
    env: [
      ['BUNDLE_PATH', BUNDLE_PATH],
      ['BUNDLE_WITHOUT', 'development:test'],
      ...(locked ? ([['BUNDLE_DEPLOYMENT', '1']] as Array<[string, string]>) : []),
      ...analysisEnv(analysis),
    ],
    setup: [],
    runtimeSetup: [],
    install: !hasGemfile ? 'true' : analysis.build.offline ? 'bundle install --local' : 'bundle install',
    ...(build ? { build } : {}),
    depsPaths: [BUNDLE_PATH],
  });
}
