import { portAndHealth } from '../code-scan.js';
import { filesIn, recordEnvUsage } from '../env-scan.js';
import { osPackagesFor } from '../os-packages.js';
import { SERVICE_CLIENTS } from '../services.js';
import type { Framework, ProcessType } from '../types.js';
import { frameworkMinimum } from '../framework-minimums.js';
import { readVersionFile, selectRuntimeVersion, type VersionClaim } from '../versions.js';
import { existing, type DetectedApp, type DetectorContext, type LanguageDetector } from './detector.js';
import { parseGemfile, parseGemfileLock, type Gemfile } from './gemfile.js';
import { analyzeRails } from './rails.js';

const RUNTIME_GROUPS_EXCLUDED = new Set(['development', 'test']);

export const rubyDetector: LanguageDetector = {
  language: 'ruby',
  markers: ['Gemfile', 'config.ru'],
  async analyze(ctx: DetectorContext): Promise<DetectedApp> {
    const { files, findings } = ctx;
    const gemfileText = await files.read('Gemfile');
    const gemfilePath = files.display('Gemfile');
    const gemfile: Gemfile =
      gemfileText === undefined ? { gems: [], gemspec: false } : parseGemfile(gemfileText, gemfilePath);
    if (gemfileText === undefined)
      findings.warn(`${files.display('config.ru')} without a Gemfile: no gems will be installed`);
    findings.note(
      'language',
      gemfileText === undefined ? files.display('config.ru') : gemfilePath,
      gemfileText === undefined ? 'config.ru present' : 'Gemfile present',
    );
    const lockText = await files.read('Gemfile.lock');
    const lock = lockText === undefined ? undefined : parseGemfileLock(lockText, files.display('Gemfile.lock'));
    if (gemfileText !== undefined && !lock)
      findings.warn(`${gemfilePath}: no Gemfile.lock; gem versions are resolved at build time`);

    const gems = new Map(gemfile.gems.map((g) => [g.name, g]));
    const has = (name: string) => gems.has(name) || (lock?.specs.includes(name) ?? false);
    const runtimeGems = gemfile.gems.filter((g) => !g.groups.some((grp) => RUNTIME_GROUPS_EXCLUDED.has(grp)));

    let framework: Framework | null = null;
    const railsGem = gems.get('rails') ?? gems.get('railties');
    if (railsGem || (await files.exists('config/application.rb'))) {
      framework = 'rails';
      if (railsGem) findings.note('framework', gemfilePath, `gem "${railsGem.name}"`, railsGem.line);
      else findings.note('framework', files.display('config/application.rb'), 'config/application.rb present');
    } else if (gems.has('sinatra')) {
      framework = 'sinatra';
      findings.note('framework', gemfilePath, 'gem "sinatra"', gems.get('sinatra')?.line);
    } else if (await files.exists('config.ru')) {
      framework = 'rack';
      findings.note('framework', files.display('config.ru'), 'config.ru (Rack) present');
    }

    const manifest: VersionClaim | undefined =
      gemfile.ruby && 'value' in gemfile.ruby
        ? { value: gemfile.ruby.value, file: gemfilePath, line: gemfile.ruby.line, reason: 'ruby directive in Gemfile' }
        : undefined;
    const lockClaim: VersionClaim | undefined = lock?.ruby
      ? {
          value: lock.ruby.value,
          file: files.display('Gemfile.lock'),
          line: lock.ruby.line,
          reason: 'RUBY VERSION in Gemfile.lock',
        }
      : undefined;
    const runtimeVersion = selectRuntimeVersion('ruby', {
      env: ctx.env,
      lock: lockClaim,
      manifest,
      versionFile: await readVersionFile(files, 'ruby'),
      minimum: railsGem
        ? frameworkMinimum('rails', railsGem.requirement, { file: gemfilePath, line: railsGem.line })
        : undefined,
    });

    const processes: ProcessType[] = [];
    let releaseCommand: string | null = null;
    let releaseRequires: string[] = [];
    let fallback = { port: 9292, reason: 'rackup default port 9292; Slipway sets PORT' };
    let healthcheckPath: string | null = null;
    let buildCommand: string | undefined;
    const scanned = ['config.ru', 'app.rb'];
    const web = (command: string, reason: string, file = gemfilePath) => {
      processes.push({ name: 'web', command, source: 'framework' });
      findings.note('process:web', file, reason);
    };
    if (framework === 'rails') {
      fallback = { port: 3000, reason: 'Rails default port 3000; Slipway sets PORT' };
      const rails = await analyzeRails(ctx);
      healthcheckPath = rails.healthcheckPath;
      scanned.unshift('config/puma.rb');
      scanned.push(...rails.scanned);
      web('bundle exec rails server -b 0.0.0.0 -p $PORT', 'Rails default: rails server');
      if (rails.release) ({ command: releaseCommand, requires: releaseRequires } = rails.release);
      if (rails.assets) buildCommand = 'bundle exec rails assets:precompile';
      findings.envVar('RAILS_ENV', gemfilePath, 'Rails production mode', { value: 'production' });
      findings.envVar('RAILS_LOG_TO_STDOUT', gemfilePath, 'logs go to the container output', { value: 'enabled' });
      findings.envVar('RAILS_SERVE_STATIC_FILES', gemfilePath, 'no separate web server serves public/', {
        value: 'enabled',
      });
      findings.envVar('SECRET_KEY_BASE', gemfilePath, 'Rails needs a secret key base in production', { secret: true });
    } else if (framework === 'sinatra' || framework === 'rack') {
      const hasRackup = await files.exists('config.ru');
      if (hasRackup && has('puma'))
        web(
          'bundle exec puma -b tcp://0.0.0.0:$PORT config.ru',
          'config.ru served by puma',
          files.display('config.ru'),
        );
      else if (hasRackup)
        web('bundle exec rackup -o 0.0.0.0 -p $PORT', 'config.ru served by rackup', files.display('config.ru'));
      else {
        const entry = (await existing(files, ['app.rb', 'main.rb', 'server.rb']))[0];
        if (entry) {
          web(`bundle exec ruby ${entry} -o 0.0.0.0 -p $PORT`, `Sinatra app file ${entry}`, files.display(entry));
          scanned.unshift(entry);
        }
      }
      findings.envVar('RACK_ENV', gemfilePath, 'Rack production mode', { value: 'production' });
      if (framework === 'sinatra' && !hasRackup)
        fallback = { port: 4567, reason: 'Sinatra default port 4567; Slipway sets PORT' };
    }
    const procfileScript = /\bruby\s+([\w./-]+\.rb)\b/.exec(ctx.procfile?.find((e) => e.type === 'web')?.command ?? '');
    const code = await portAndHealth(
      ctx,
      'ruby',
      [...(procfileScript ? [procfileScript[1]!] : []), ...scanned],
      fallback,
    );
    if (framework !== 'rails') healthcheckPath = code.healthcheckPath;
    if (has('sidekiq') && !ctx.procfile) {
      processes.push({ name: 'worker', command: 'bundle exec sidekiq', source: 'framework' });
      findings.note('process:worker', gemfilePath, 'gem "sidekiq"', gems.get('sidekiq')?.line);
    }

    const depRefs = (lock?.specs ?? runtimeGems.map((g) => g.name)).map((name) => ({
      name,
      file: gems.has(name) ? gemfilePath : files.display('Gemfile.lock'),
      ...(gems.get(name) ? { line: gems.get(name)?.line } : {}),
    }));
    const os = osPackagesFor('ruby', depRefs);
    os.evidence.forEach((e) => findings.note(e.topic, e.file, e.reason, e.line));
    for (const gem of runtimeGems) {
      const service = SERVICE_CLIENTS.ruby[gem.name];
      if (service) findings.service(service, gemfilePath, `gem "${gem.name}"`, gem.line);
    }
    await recordEnvUsage(
      files,
      'ruby',
      [...new Set([...scanned, ...(await filesIn(files, 'config', ['.rb']))])],
      findings,
    );

    const localPackages = gemfile.gems.flatMap((g) => (g.path ? [g.path.replace(/^\.\//, '')] : []));
    const rubyVersionFile = gemfile.ruby && 'file' in gemfile.ruby ? [gemfile.ruby.file] : [];
    return {
      framework,
      runtimeVersion,
      packageManager: gemfileText === undefined ? null : 'bundler',
      processes,
      port: code.port,
      releaseCommand,
      releaseRequires,
      osPackages: { build: os.build, runtime: os.runtime },
      dependencies: gemfile.gems.map((g) => g.name).sort(),
      healthcheckPath,
      build: {
        manifests: await existing(files, ['Gemfile', 'Gemfile.lock', ...rubyVersionFile]),
        localPackages,
        offline: !gemfile.gemspec && gemfile.gems.every((g) => g.path !== undefined),
        ...(buildCommand ? { command: buildCommand } : {}),
      },
    };
  },
};
