import { z } from 'zod';
import { filesIn, recordEnvUsage } from '../env-scan.js';
import { osPackagesFor } from '../os-packages.js';
import { SERVICE_CLIENTS } from '../services.js';
import { formatIssues, invalidManifest, jsonKeyLine, parseJsonManifest } from '../text.js';
import type { Framework, PhpServer, ProcessType } from '../types.js';
import { frameworkMinimum } from '../framework-minimums.js';
import { readVersionFile, selectRuntimeVersion } from '../versions.js';
import { phpServerFromCommand } from './php-server.js';
import { existing, type DetectedApp, type DetectorContext, type LanguageDetector } from './detector.js';

const composerSchema = z.looseObject({
  name: z.string().optional(),
  require: z.record(z.string(), z.string()).optional(),
  'require-dev': z.record(z.string(), z.string()).optional(),
  config: z.looseObject({ platform: z.looseObject({ php: z.string().optional() }).optional() }).optional(),
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

    const { framework, docroot } = await detectFramework(ctx, require, file, line);
    const minimumDep = Object.keys(require).find((k) => frameworkMinimum(k, require[k], { file }));
    const phpConstraint = require.php;
    const platform = composer.config?.platform?.php;
    const runtimeVersion = selectRuntimeVersion('php', {
      env: ctx.env,
      lock: platform
        ? { value: platform, file, line: line('platform'), reason: 'config.platform.php in composer.json' }
        : undefined,
      manifest: phpConstraint
        ? { value: phpConstraint, file, line: line('php'), reason: 'require.php in composer.json' }
        : undefined,
      versionFile: await readVersionFile(files, 'php'),
      minimum: minimumDep
        ? frameworkMinimum(minimumDep, require[minimumDep], { file, line: line(minimumDep) })
        : undefined,
    });

    const processes: ProcessType[] = [];
    let release: { command: string; requires: string[] } | undefined;
    const scanned = ['index.php', 'public/index.php', 'web/index.php'];
    const extensions = new Set(
      Object.keys(require)
        .filter((k) => k.startsWith('ext-'))
        .map((k) => k.slice(4)),
    );
    const procfileWeb = ctx.procfile?.find((e) => e.type === 'web');
    let server: PhpServer | undefined;
    if (procfileWeb) {
      server = await phpServerFromCommand(
        procfileWeb.command,
        { file: files.display('Procfile'), line: procfileWeb.line },
        files,
        findings,
      );
    } else {
      // No Procfile: Apache + mod_php on the framework's document root (Heroku's default for PHP too).
      server = { kind: 'apache', docroot, command: 'heroku-php-apache2' };
      processes.push({
        name: 'web',
        command: `heroku-php-apache2 ${docroot === '.' ? '' : `${docroot}/`}`.trim(),
        source: 'framework',
      });
      findings.note(
        'process:web',
        files.display(docroot === '.' ? 'index.php' : `${docroot}/index.php`),
        `Apache httpd + mod_php with document root ${docroot}/ (heroku-php-apache2, as on Heroku)`,
      );
    }
    if (framework === 'laravel' || framework === 'lumen') {
      findings.envVar('APP_ENV', file, 'Laravel production mode', { value: 'production' });
      findings.envVar('APP_DEBUG', file, 'no debug pages in production', { value: 'false' });
      findings.envVar('LOG_CHANNEL', file, 'logs go to the container output', { value: 'stderr' });
      findings.envVar('APP_KEY', file, 'Laravel encryption key', { secret: true });
      const db = await readDotenvExample(ctx);
      release = await migrationsRelease(ctx, 'database/migrations', 'php artisan migrate --force', db);
      scanned.push(...(await filesIn(files, 'config', ['.php'])));
    } else if (framework === 'symfony') {
      findings.envVar('APP_ENV', file, 'Symfony production mode', { value: 'prod' });
      findings.envVar('APP_SECRET', file, 'Symfony secret', { secret: true });
      if (Object.hasOwn(require, 'doctrine/doctrine-migrations-bundle'))
        release = await migrationsRelease(
          ctx,
          'migrations',
          'php bin/console doctrine:migrations:migrate --no-interaction',
          'url',
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
    findings.note('port', file, 'Apache / nginx / php -S listen on PORT (default 8080); Slipway sets PORT');
    const root = server?.docroot ?? docroot;
    const healthcheckPath = (await files.isFile(root === '.' ? 'index.php' : `${root}/index.php`)) ? '/' : null;
    if (healthcheckPath)
      findings.note(
        'healthcheck',
        files.display(root === '.' ? 'index.php' : `${root}/index.php`),
        'front controller: HTTP check GET /',
      );
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
      port: 8080,
      releaseCommand: release?.command ?? null,
      releaseRequires: release?.requires ?? [],
      osPackages: { build: os.build, runtime: os.runtime },
      dependencies: Object.keys(require)
        .filter((k) => k !== 'php' && !k.startsWith('ext-'))
        .sort(),
      healthcheckPath,
      build: {
        manifests: await existing(files, ['composer.json', 'composer.lock']),
        localPackages,
        offline: Object.keys(require).every((k) => k === 'php' || k.startsWith('ext-')),
        phpExtensions: [...extensions].sort(),
        ...(server ? { phpServer: server } : {}),
      },
    };
  },
};

/**
 * Laravel's .env.example lists the variables the app expects; DB_CONNECTION / *_DRIVER name
 * services. Returns how the database is reached: a server (pgsql, mysql), or SQLite.
 */
async function readDotenvExample(ctx: DetectorContext): Promise<'server' | 'sqlite' | undefined> {
  const { files, findings } = ctx;
  const text = await files.read('.env.example');
  if (text === undefined) return undefined;
  const file = files.display('.env.example');
  let db: 'server' | 'sqlite' | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*)$/.exec(raw);
    if (!m) return;
    const [name, value] = [m[1] as string, (m[2] as string).trim().replace(/^["']|["']$/g, '')];
    if (name === 'DB_CONNECTION') {
      const kind = LARAVEL_DB[value];
      if (kind === 'postgres' || kind === 'mysql') findings.service(kind, file, `DB_CONNECTION=${value}`, i + 1);
      if (kind === 'sqlite')
        findings.warn(`${file}:${i + 1}: SQLite database: data inside a container is lost on every deploy`);
      db = kind === 'sqlite' ? 'sqlite' : kind ? 'server' : db;
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
  return db;
}

/**
 * The framework's migrate command as the release command, when there are migrations and a database
 * server; it runs only once the app's config points at it (DB_URL / DATABASE_URL / DB_HOST).
 */
async function migrationsRelease(
  ctx: DetectorContext,
  dir: string,
  command: string,
  db: 'server' | 'sqlite' | 'url' | undefined,
): Promise<{ command: string; requires: string[] } | undefined> {
  const { files, findings } = ctx;
  const migration = (await files.list(dir)).find((n) => n.endsWith('.php'));
  if (!migration) return undefined;
  const at = files.display(`${dir}/${migration}`);
  if (db !== 'server' && db !== 'url') {
    findings.note('release', at, 'migrations exist, but no database server is configured: no release command');
    return undefined;
  }
  const requires = db === 'url' ? ['DATABASE_URL'] : ['DB_URL', 'DATABASE_URL', 'DB_HOST'];
  findings.note('release', at, `migrations exist: ${command} runs once per release`);
  findings.note(
    'release',
    at,
    `only when ${requires.join(' or ')} is set (\`slipway config:set …\`); a deploy without it skips the release`,
  );
  return { command, requires };
}

/** Framework by composer requirement, and its document root (where its front controller index.php is). */
const FRAMEWORKS: Array<[string, Framework, string[]]> = [
  ['laravel/framework', 'laravel', ['public']],
  ['laravel/lumen-framework', 'lumen', ['public']],
  ['symfony/framework-bundle', 'symfony', ['public']],
  ['slim/slim', 'slim', ['public', 'web', '.']],
  ['codeigniter4/framework', 'codeigniter', ['public']],
  ['cakephp/cakephp', 'cakephp', ['webroot']],
  ['yiisoft/yii2', 'yii', ['web']],
];

async function detectFramework(
  ctx: DetectorContext,
  require: Record<string, string>,
  file: string,
  line: (key: string) => number | undefined,
): Promise<{ framework: Framework | null; docroot: string }> {
  const { files, findings } = ctx;
  const docrootOf = async (candidates: string[]) => {
    for (const dir of candidates) if (await files.isFile(dir === '.' ? 'index.php' : `${dir}/index.php`)) return dir;
    return undefined;
  };
  for (const [dep, framework, roots] of FRAMEWORKS) {
    if (!Object.hasOwn(require, dep)) continue;
    findings.note('framework', file, `requires ${dep}`, line(dep));
    return { framework, docroot: (await docrootOf(roots)) ?? roots[0]! };
  }
  if (await files.exists('artisan')) {
    findings.note('framework', files.display('artisan'), 'artisan present');
    return { framework: 'laravel', docroot: 'public' };
  }
  return { framework: null, docroot: (await docrootOf(['public', 'web', 'htdocs', '.'])) ?? '.' };
}
