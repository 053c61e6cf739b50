import { z } from 'zod';
import { filesIn, recordEnvUsage } from '../env-scan.js';
import { osPackagesFor } from '../os-packages.js';
import { SERVICE_CLIENTS } from '../services.js';
import { formatIssues, invalidManifest, jsonKeyLine, parseJsonManifest } from '../text.js';
import type { Framework, ProcessType } from '../types.js';
import { readVersionFile, selectRuntimeVersion } from '../versions.js';
import { existing, type DetectedApp, type DetectorContext, type LanguageDetector } from './detector.js';

const composerSchema = z.looseObject({
  name: z.string().optional(),
  require: z.record(z.string(), z.string()).optional(),
  'require-dev': z.record(z.string(), z.string()).optional(),
  repositories: z
    .union([
      z.array(z.looseObject({ type: z.string(), url: z.string().optional() })),
      z.record(z.string(), z.unknown()),
    ])
    .optional(),
});

const LARAVEL_DB: Record<string, 'postgres' | 'mysql' | 'sqlite'> = {
  pgsql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
};

export const phpDetector: LanguageDetector = {
  language: 'php',
  markers: ['composer.json', 'artisan', 'index.php', 'public/index.php'],
  async analyze(ctx: DetectorContext): Promise<DetectedApp> {
    const { files, findings } = ctx;
    const file = files.display('composer.json');
    const text = await files.read('composer.json');
    let composer: z.infer<typeof composerSchema> = {};
    if (text !== undefined) {
      const parsed = composerSchema.safeParse(parseJsonManifest(file, text));
      if (!parsed.success) throw invalidManifest(file, formatIssues(parsed.error.issues));
      composer = parsed.data;
      findings.note('language', file, 'composer.json present');
      findings.note('packageManager', file, 'composer.json: Composer');
    } else {
      findings.note(
        'language',
        files.display((await existing(files, ['index.php', 'public/index.php']))[0] ?? 'index.php'),
        'PHP entry file present',
      );
    }
    const require = composer.require ?? {};
    const line = (key: string) => (text === undefined ? undefined : jsonKeyLine(text, key));

    let framework: Framework | null = null;
    if (Object.hasOwn(require, 'laravel/framework')) {
      framework = 'laravel';
      findings.note('framework', file, 'requires laravel/framework', line('laravel/framework'));
    } else if (await files.exists('artisan')) {
      framework = 'laravel';
      findings.note('framework', files.display('artisan'), 'artisan present');
    }

    const phpConstraint = require.php;
    const runtimeVersion = selectRuntimeVersion(
      'php',
      {
        env: ctx.env,
        manifest: phpConstraint
          ? { value: phpConstraint, file, line: line('php'), reason: 'require.php in composer.json' }
          : undefined,
        versionFile: await readVersionFile(files, 'php'),
      },
      findings.warnings,
    );

    const processes: ProcessType[] = [];
    let releaseCommand: string | null = null;
    let port = 8080;
    const scanned = ['index.php', 'public/index.php'];
    const extensions = new Set(
      Object.keys(require)
        .filter((k) => k.startsWith('ext-'))
        .map((k) => k.slice(4)),
    );
    if (framework === 'laravel') {
      port = 8000;
      processes.push({ name: 'web', command: 'php artisan serve --host=0.0.0.0 --port=$PORT', source: 'framework' });
      findings.note('process:web', files.display('artisan'), 'Laravel default: php artisan serve');
      releaseCommand = 'php artisan migrate --force';
      findings.note('release', files.display('artisan'), 'Laravel migrations run once per release');
      findings.envVar('APP_ENV', file, 'Laravel production mode', { value: 'production' });
      findings.envVar('APP_DEBUG', file, 'no debug pages in production', { value: 'false' });
      findings.envVar('LOG_CHANNEL', file, 'logs go to the container output', { value: 'stderr' });
      findings.envVar('APP_KEY', file, 'Laravel encryption key', { secret: true });
      await readDotenvExample(ctx);
      scanned.push(...(await filesIn(files, 'config', ['.php'])));
    } else {
      const docroot = (await files.exists('public/index.php')) ? 'public' : '.';
      processes.push({ name: 'web', command: `php -S 0.0.0.0:$PORT -t ${docroot}`, source: 'convention' });
      findings.note(
        'process:web',
        files.display(docroot === '.' ? 'index.php' : 'public/index.php'),
        `PHP built-in server with document root ${docroot}`,
      );
    }
    if (processes.length > 0 && !ctx.procfile?.some((e) => e.name === 'web')) {
      findings.warn(
        'the PHP built-in web server handles one request at a time; ' +
          'put php-fpm behind a web server (Procfile web) for real traffic',
      );
    }

    const refs = Object.keys(require)
      .sort()
      .map((name) => ({ name, file, line: line(name) }));
    for (const r of refs) {
      const service = SERVICE_CLIENTS.php[r.name];
      if (service) findings.service(service, file, `requires ${r.name}`, r.line);
    }
    await recordEnvUsage(files, 'php', scanned, findings);
    if (findings.hasService('postgres')) extensions.add('pdo_pgsql');
    if (findings.hasService('mysql')) extensions.add('pdo_mysql');
    if (findings.hasService('redis') && !Object.hasOwn(require, 'predis/predis')) extensions.add('redis');
    const os = osPackagesFor(
      'php',
      [...extensions].sort().map((ext) => ({ name: `ext-${ext}`, file, line: line(`ext-${ext}`) })),
    );
    os.evidence.forEach((e) => findings.note(e.topic, e.file, e.reason, e.line));

    const repositories = Array.isArray(composer.repositories) ? composer.repositories : [];
    const localPackages = repositories
      .filter((r) => r.type === 'path' && r.url)
      .map((r) => (r.url as string).replace(/^\.\//, ''));
    return {
      framework,
      runtimeVersion,
      packageManager: text === undefined ? null : 'composer',
      processes,
      port,
      releaseCommand,
      osPackages: { build: os.build, runtime: os.runtime },
      dependencies: Object.keys(require)
        .filter((k) => k !== 'php' && !k.startsWith('ext-'))
        .sort(),
      healthcheckPath: '/',
      build: {
        manifests: await existing(files, ['composer.json', 'composer.lock']),
        localPackages,
        offline: Object.keys(require).every((k) => k === 'php' || k.startsWith('ext-')),
        phpExtensions: [...extensions].sort(),
      },
    };
  },
};

/** Laravel's .env.example lists the variables the app expects; DB_CONNECTION / *_DRIVER name services. */
async function readDotenvExample(ctx: DetectorContext): Promise<void> {
  const { files, findings } = ctx;
  const text = await files.read('.env.example');
  if (text === undefined) return;
  const file = files.display('.env.example');
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*)$/.exec(raw);
    if (!m) return;
    const [name, value] = [m[1] as string, (m[2] as string).trim().replace(/^["']|["']$/g, '')];
    if (name === 'DB_CONNECTION') {
      const kind = LARAVEL_DB[value];
      if (kind === 'postgres' || kind === 'mysql') findings.service(kind, file, `DB_CONNECTION=${value}`, i + 1);
      if (kind === 'sqlite')
        findings.warn(`${file}:${i + 1}: SQLite database: data inside a container is lost on every deploy`);
    }
    if (/^(CACHE_DRIVER|CACHE_STORE|SESSION_DRIVER|QUEUE_CONNECTION)$/.test(name) && value === 'redis')
      findings.service('redis', file, `${name}=redis`, i + 1);
    if (/^(CACHE_DRIVER|CACHE_STORE|SESSION_DRIVER)$/.test(name) && value === 'memcached')
      findings.service('memcached', file, `${name}=memcached`, i + 1);
    if (/^(APP_ENV|APP_DEBUG|LOG_CHANNEL|APP_KEY)$/.test(name)) return;
    findings.envVar(name, file, 'listed in .env.example', {
      line: i + 1,
      ...(/(PASSWORD|SECRET|KEY|TOKEN)/.test(name) ? { secret: true } : {}),
    });
  });
}
