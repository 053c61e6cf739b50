import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SlipwayError } from '../core/errors.js';
import { analyzeSource, analyzeTree } from './analyze.js';
import { memoryTree } from './read-source.js';
import type { Analysis } from './types.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/analyze/', import.meta.url));

interface Expected {
  language: Analysis['language'];
  framework: Analysis['framework'];
  packageManager: Analysis['packageManager'];
  version: [string, Analysis['runtimeVersion']['source'], string?];
  processes: string[];
  port: number;
  release: string | null;
  /** Config vars one of which the release needs (default none). */
  releaseRequires?: string[];
  /** The health check path (null = TCP); checked when given. */
  health?: string | null;
  services: string[];
  osBuild?: string[];
  osRuntime?: string[];
  env: string[];
  frameworkEvidence?: string;
  warnings?: RegExp[];
}

/** Expected analysis of every fixture: `name` or `name:subpath` (monorepo). */
const EXPECTED: Record<string, Expected> = {
  'node-express-npm': {
    language: 'node',
    framework: 'express',
    packageManager: 'npm',
    version: ['22', 'manifest', 'package.json'],
    processes: ['web: node server.js'],
    port: 3000,
    release: null,
    services: ['postgres=DATABASE_URL'],
    env: ['DATABASE_URL', 'NODE_ENV=production'],
    frameworkEvidence: 'package.json:12',
    health: '/',
  },
  'node-next-pnpm': {
    language: 'node',
    framework: 'next',
    packageManager: 'pnpm',
    version: ['20', 'version-file', '.node-version'],
    processes: ['web: next start'],
    port: 3000,
    release: null,
    services: [],
    env: ['NODE_ENV=production'],
    frameworkEvidence: 'package.json:11',
    health: '/',
    warnings: [/^with --runtime debian: .*node 18\.19, but \.node-version:1 asks for 20/],
  },
  'node-nest-yarn': {
    language: 'node',
    framework: 'nest',
    packageManager: 'yarn',
    version: ['20', 'manifest', 'package.json'],
    processes: ['web: node dist/main.js'],
    port: 3000,
    release: null,
    services: ['redis=REDIS_URL'],
    env: ['NODE_ENV=production', 'REDIS_URL'],
    health: null,
    warnings: [/^with --runtime debian: .*package\.json:11 asks for \^20\.0\.0/],
  },
  'node-fastify-bun': {
    language: 'node',
    framework: 'fastify',
    packageManager: 'bun',
    version: ['22', 'default'],
    processes: ['web: bun index.ts'],
    port: 3000,
    release: null,
    services: ['mongodb=MONGODB_URI'],
    env: ['MONGODB_URI', 'NODE_ENV=production'],
  },
  'node-koa': {
    language: 'node',
    framework: 'koa',
    packageManager: 'npm',
    version: ['20', 'version-file', '.nvmrc'],
    processes: ['web: node app.js'],
    port: 3000,
    release: null,
    services: ['mysql=DATABASE_URL'],
    osBuild: ['g++', 'make', 'python3'],
    osRuntime: [],
    env: ['DATABASE_URL', 'NODE_ENV=production', 'SESSION_SECRET'],
    warnings: [/^with --runtime debian: .*\.nvmrc:1 asks for lts\/iron/],
  },
  'node-hapi': {
    language: 'node',
    framework: 'hapi',
    packageManager: 'npm',
    version: ['22.1.0', 'version-file', '.tool-versions'],
    processes: ['web: node lib/index.js', 'worker: node lib/worker.js'],
    port: 3000,
    release: null,
    services: ['rabbitmq=AMQP_URL'],
    env: ['AMQP_URL', 'NODE_ENV=production'],
    warnings: [/^with --runtime debian: .*\.tool-versions:1 asks for 22\.1\.0/],
  },
  'node-plain-main': {
    language: 'node',
    framework: null,
    packageManager: 'npm',
    version: ['22', 'default'],
    processes: ['web: node server.js'],
    port: 3000,
    release: null,
    services: [],
    env: ['GREETING', 'NODE_ENV=production'],
  },
  'monorepo:apps/api': {
    language: 'node',
    framework: 'express',
    packageManager: 'npm',
    version: ['22', 'version-file', '.nvmrc'],
    processes: ['web: node index.js'],
    port: 3000,
    release: null,
    services: ['redis=REDIS_URL'],
    env: ['NODE_ENV=production', 'REDIS_URL'],
    frameworkEvidence: 'apps/api/package.json:9',
    warnings: [/package-lock\.json is outside apps\/api/, /^with --runtime debian: .*\.nvmrc:1 asks for 22/],
  },
  'python-django-pip': {
    language: 'python',
    framework: 'django',
    packageManager: 'pip',
    version: ['3.11.9', 'version-file', '.python-version'],
    processes: ['web: gunicorn mysite.wsgi:application --bind 0.0.0.0:$PORT'],
    port: 8000,
    release: 'python manage.py migrate --noinput',
    releaseRequires: ['DATABASE_URL'],
    health: null,
    services: ['postgres=DATABASE_URL', 'redis=REDIS_URL'],
    osBuild: ['build-essential', 'libfreetype6-dev', 'libjpeg62-turbo-dev', 'libpng-dev', 'libpq-dev', 'zlib1g-dev'],
    osRuntime: ['libfreetype6', 'libjpeg62-turbo', 'libpng16-16', 'libpq5', 'zlib1g'],
    env: [
      'ALLOWED_HOSTS',
      'DATABASE_URL',
      'DJANGO_DEBUG',
      'DJANGO_SECRET_KEY',
      'DJANGO_SETTINGS_MODULE=mysite.settings',
      'REDIS_URL',
    ],
    frameworkEvidence: 'requirements.txt:2',
    warnings: [/django>=5\.0,<5\.1 is newer than Debian/, /gunicorn==22/, /dj-database-url>=2\.1/, /pillow>=10\.3/],
  },
  'python-flask-poetry': {
    language: 'python',
    framework: 'flask',
    packageManager: 'poetry',
    version: ['3.13', 'manifest', 'pyproject.toml'],
    processes: ['web: gunicorn app:app --bind 0.0.0.0:$PORT'],
    port: 8000,
    release: null,
    services: ['redis=REDIS_URL'],
    env: ['REDIS_URL'],
    frameworkEvidence: 'pyproject.toml:9',
  },
  'python-fastapi-pipenv': {
    language: 'python',
    framework: 'fastapi',
    packageManager: 'pipenv',
    version: ['3.12', 'manifest', 'Pipfile'],
    processes: ['web: uvicorn main:app --host 0.0.0.0 --port $PORT'],
    port: 8000,
    release: null,
    services: ['postgres=DATABASE_URL', 'mongodb=MONGO_URL'],
    env: ['DATABASE_URL', 'MONGO_URL'],
    warnings: [/^with --runtime debian: .*Pipfile:16 asks for 3\.12/],
  },
  'python-pep621': {
    language: 'python',
    framework: 'flask',
    packageManager: 'pip',
    version: ['3.13', 'manifest', 'pyproject.toml'],
    processes: ["web: gunicorn 'wsgi:create_app()' --bind 0.0.0.0:$PORT"],
    port: 8000,
    release: null,
    services: ['mysql=DATABASE_URL'],
    osBuild: ['build-essential', 'default-libmysqlclient-dev', 'libxml2-dev', 'libxslt1-dev', 'pkg-config'],
    osRuntime: ['libmariadb3', 'libxml2', 'libxslt1.1'],
    env: ['DATABASE_URL'],
    warnings: [/flask>=3\.0 is newer/, /gunicorn>=22 is newer/, /mysqlclient>=2\.2 is newer/],
  },
  'python-wsgi-local': {
    language: 'python',
    framework: null,
    packageManager: 'pip',
    version: ['3.13', 'default'],
    processes: ['web: python app.py'],
    port: 8000,
    release: null,
    services: [],
    env: ['APP_NAME'],
  },
  'ruby-rails': {
    language: 'ruby',
    framework: 'rails',
    packageManager: 'bundler',
    version: ['3.2.2', 'lockfile', 'Gemfile.lock'],
    processes: ['web: bundle exec rails server -b 0.0.0.0 -p $PORT', 'worker: bundle exec sidekiq'],
    port: 3000,
    release: 'bundle exec rails db:migrate',
    releaseRequires: ['DATABASE_URL'],
    health: '/up',
    services: ['postgres=DATABASE_URL', 'redis=REDIS_URL'],
    osBuild: ['build-essential', 'libpq-dev', 'libxml2-dev', 'libxslt1-dev'],
    osRuntime: ['libpq5', 'libvips42', 'libxml2', 'libxslt1.1'],
    env: [
      'DATABASE_URL',
      'FORCE_SSL',
      'RAILS_ENV=production',
      'RAILS_LOG_TO_STDOUT=enabled',
      'RAILS_SERVE_STATIC_FILES=enabled',
      'REDIS_URL',
      'SECRET_KEY_BASE',
      'SMTP_HOST',
    ],
    frameworkEvidence: 'Gemfile:5',
    warnings: [/^with --runtime debian: .*ruby 3\.1, but Gemfile\.lock:39 asks for 3\.2\.2/],
  },
  'ruby-sinatra': {
    language: 'ruby',
    framework: 'sinatra',
    packageManager: 'bundler',
    version: ['3.3.0', 'version-file', '.ruby-version'],
    processes: ['web: bundle exec ruby app.rb -o 0.0.0.0 -p $PORT'],
    port: 4567,
    release: null,
    services: ['memcached=MEMCACHE_SERVERS', 'mongodb=MONGODB_URI'],
    osBuild: ['build-essential', 'libxml2-dev', 'libxslt1-dev'],
    osRuntime: ['libxml2', 'libxslt1.1'],
    env: ['MEMCACHE_SERVERS', 'MONGODB_URI', 'RACK_ENV=production'],
    warnings: [/no Gemfile\.lock/, /^with --runtime debian: .*\.ruby-version:1 asks for ruby-3\.3\.0/],
  },
  'ruby-rack': {
    language: 'ruby',
    framework: 'rack',
    packageManager: 'bundler',
    version: ['3.1', 'lockfile', 'Gemfile.lock'],
    processes: ['web: bundle exec puma -b tcp://0.0.0.0:$PORT config.ru'],
    port: 9292,
    release: null,
    services: ['mysql=DATABASE_URL'],
    osBuild: ['build-essential', 'default-libmysqlclient-dev', 'pkg-config'],
    osRuntime: ['libmariadb3'],
    env: ['DATABASE_URL', 'RACK_ENV=production'],
    warnings: [/Gemfile\.lock:19 asks for ruby 3\.1\.2: the first ruby 3\.1 release with a bookworm image is 3\.1\.4/],
  },
  'ruby-rack-local': {
    language: 'ruby',
    framework: 'rack',
    packageManager: 'bundler',
    version: ['3.4', 'default'],
    processes: ['web: bundle exec ruby serve.rb'],
    port: 9292,
    release: null,
    services: [],
    osBuild: [],
    osRuntime: [],
    env: ['APP_NAME', 'RACK_ENV=production'],
    warnings: [/no Gemfile\.lock/],
  },
  'php-laravel': {
    language: 'php',
    framework: 'laravel',
    packageManager: 'composer',
    version: ['8.4', 'manifest', 'composer.json'],
    processes: ['web: heroku-php-apache2 public/'],
    port: 8080,
    release: 'php artisan migrate --force',
    releaseRequires: ['DB_URL', 'DATABASE_URL', 'DB_HOST'],
    health: '/',
    services: ['postgres=DB_URL', 'redis=REDIS_HOST,REDIS_URL'],
    osBuild: ['build-essential', 'libicu-dev', 'libpq-dev'],
    osRuntime: ['libicu72', 'libpq5'],
    env: [
      'APP_DEBUG=false',
      'APP_ENV=production',
      'APP_KEY',
      'APP_NAME',
      'CACHE_STORE',
      'DB_CONNECTION',
      'DB_DATABASE',
      'DB_HOST',
      'DB_PASSWORD',
      'DB_PORT',
      'DB_URL',
      'DB_USERNAME',
      'LOG_CHANNEL=stderr',
      'REDIS_CLIENT',
      'REDIS_HOST',
      'REDIS_PASSWORD',
      'REDIS_URL',
    ],
    frameworkEvidence: 'composer.json:7',
  },
  'php-plain': {
    language: 'php',
    framework: null,
    packageManager: null,
    version: ['8.4', 'default'],
    processes: ['web: heroku-php-apache2'],
    port: 8080,
    release: null,
    services: [],
    env: ['GREETING_NAME'],
  },
  'go-mod': {
    language: 'go',
    framework: null,
    packageManager: 'go',
    version: ['1.22', 'manifest', 'go.mod'],
    processes: ['web: /app/bin/api'],
    port: 8080,
    release: null,
    services: ['postgres=DATABASE_URL', 'redis=REDIS_URL'],
    osBuild: [],
    osRuntime: [],
    env: ['DATABASE_URL', 'REDIS_URL'],
    warnings: [/^with --runtime debian: .*go 1\.19, but go\.mod:3 asks for 1\.22/],
  },
  // Shapes of Heroku's getting-started apps (heroku/*-getting-started), written here.
  'python-django-getting-started': {
    language: 'python',
    framework: 'django',
    packageManager: 'pip',
    version: ['3.14', 'version-file', '.python-version'],
    processes: ['web: gunicorn --config gunicorn.conf.py gettingstarted.wsgi'],
    port: 5006,
    release: 'python manage.py migrate --noinput',
    releaseRequires: ['DATABASE_URL'],
    health: '/',
    services: [],
    env: ['DATABASE_URL', 'DJANGO_SECRET_KEY', 'DJANGO_SETTINGS_MODULE=gettingstarted.settings', 'ENVIRONMENT'],
    warnings: [
      /settings\.py:48: SQLite database/,
      /^with --runtime debian: .*python 3\.11, but Django 6\.0 needs python ≥ 3\.12 \(requirements\.txt:1\); use --runtime official \(python:3\.14-slim-bookworm\)/,
      /django>=6\.0,<6\.1 is newer than Debian bookworm's python3-django/,
      /gunicorn>=26,<27/,
      /dj-database-url>=3,<4/,
    ],
  },
  'python-django-whitenoise': {
    language: 'python',
    framework: 'django',
    packageManager: 'pip',
    version: ['3.12', 'version-file', '.python-version'],
    processes: ['web: gunicorn --config gunicorn.conf.py mysite.wsgi'],
    port: 5006,
    release: 'python manage.py migrate --noinput',
    releaseRequires: ['DATABASE_URL'],
    health: '/',
    services: [],
    env: ['DATABASE_URL', 'DJANGO_DEBUG', 'DJANGO_SECRET_KEY', 'DJANGO_SETTINGS_MODULE=mysite.settings'],
    warnings: [
      /settings\.py:44: SQLite database/,
      /^with --runtime debian: .*python 3\.11, but \.python-version:1 asks for 3\.12/,
    ],
  },
  'python-fastapi-package': {
    language: 'python',
    framework: 'fastapi',
    packageManager: 'pip',
    version: ['3.12', 'version-file', '.python-version'],
    processes: ['web: uvicorn api.main:app --host 0.0.0.0 --port $PORT'],
    port: 8000,
    release: null,
    health: '/health',
    services: [],
    env: ['REGION'],
    warnings: [/\.python-version:1 asks for 3\.12/, /fastapi>=0\.110/, /uvicorn>=0\.29/, /httpx>=0\.27/],
  },
  'node-express-getting-started': {
    language: 'node',
    framework: 'express',
    packageManager: 'npm',
    version: ['18', 'manifest', 'package.json'],
    processes: ['web: npm start'],
    port: 5006,
    release: null,
    health: '/',
    services: [],
    env: ['NODE_ENV=production'],
    warnings: [
      /^package\.json:15 asks for node 4\.0\.0: no official Debian bookworm image has it; using node 18/,
      /^with --runtime debian: .*node 18\.19, but package\.json:15 asks for 4\.0\.0/,
    ],
  },
  'ruby-rails-getting-started': {
    language: 'ruby',
    framework: 'rails',
    packageManager: 'bundler',
    version: ['3.4.9', 'lockfile', 'Gemfile.lock'],
    processes: ['web: bundle exec puma -C config/puma.rb'],
    port: 3000,
    release: 'bundle exec rails db:migrate',
    releaseRequires: ['DATABASE_URL'],
    health: '/',
    services: ['postgres=DATABASE_URL'],
    env: [
      'DATABASE_URL',
      'RAILS_ENV=production',
      'RAILS_LOG_LEVEL',
      'RAILS_LOG_TO_STDOUT=enabled',
      'RAILS_MAX_THREADS',
      'RAILS_SERVE_STATIC_FILES=enabled',
      'SECRET_KEY_BASE',
      'WEB_CONCURRENCY',
    ],
    warnings: [/^with --runtime debian: .*ruby 3\.1, but Rails 8\.1 needs ruby ≥ 3\.2 \(Gemfile:4\)/],
  },
  'php-slim-getting-started': {
    language: 'php',
    framework: 'slim',
    packageManager: 'composer',
    version: ['8.4', 'manifest', 'composer.json'],
    processes: ['web: heroku-php-apache2 web/'],
    port: 8080,
    release: null,
    health: '/',
    services: [],
    env: [],
    frameworkEvidence: 'composer.json:5',
  },
  'php-heroku-apache': {
    language: 'php',
    framework: null,
    packageManager: 'composer',
    version: ['8.4', 'manifest', 'composer.json'],
    processes: ['web: heroku-php-apache2 web/'],
    port: 8080,
    release: null,
    health: '/',
    services: [],
    env: [],
  },
  'php-symfony-nginx': {
    language: 'php',
    framework: 'symfony',
    packageManager: 'composer',
    version: ['8.3.14', 'lockfile', 'composer.json'],
    processes: ['web: heroku-php-nginx -C nginx_app.conf public/'],
    port: 8080,
    release: 'php bin/console doctrine:migrations:migrate --no-interaction',
    releaseRequires: ['DATABASE_URL'],
    health: '/',
    services: [],
    env: ['APP_ENV=prod', 'APP_SECRET'],
    warnings: [/^with --runtime debian: .*php 8\.2, but composer\.json asks for 8\.3\.14/],
  },
  'static-site': {
    language: 'static',
    framework: null,
    packageManager: null,
    version: ['', 'default'],
    processes: ['web: busybox httpd -f -p $PORT -h /app'],
    port: 8080,
    release: null,
    services: [],
    env: [],
  },
};

async function analyzeFixture(key: string, env: Record<string, string> = {}): Promise<Analysis> {
  const [dir, path] = key.split(':') as [string, string | undefined];
  return analyzeSource(join(FIXTURES, dir), { ...(path ? { path } : {}), env });
}

describe('analyzeSource on every fixture', () => {
  for (const [key, want] of Object.entries(EXPECTED)) {
    it(key, async () => {
      const a = await analyzeFixture(key);
      assert.equal(a.language, want.language);
      assert.equal(a.framework, want.framework);
      assert.equal(a.packageManager, want.packageManager);
      assert.deepEqual(
        [a.runtimeVersion.version, a.runtimeVersion.source, a.runtimeVersion.file],
        [want.version[0], want.version[1], want.version[2]],
      );
      assert.deepEqual(
        a.processes.map((p) => `${p.name}: ${p.command}`),
        want.processes,
      );
      assert.equal(a.port, want.port);
      assert.equal(a.releaseCommand, want.release);
      assert.deepEqual(a.releaseRequires, want.releaseRequires ?? []);
      if (want.health !== undefined) assert.equal(a.healthcheckPath, want.health);
      assert.deepEqual(
        a.services.map((s) => `${s.name}=${s.env.join(',')}`),
        want.services,
      );
      if (want.osBuild) assert.deepEqual(a.osPackages.build, want.osBuild);
      if (want.osRuntime) assert.deepEqual(a.osPackages.runtime, want.osRuntime);
      assert.deepEqual(
        a.env.map((e) => (e.value === undefined ? e.name : `${e.name}=${e.value}`)),
        want.env,
      );
      if (want.frameworkEvidence) {
        const ev = a.evidence.find((e) => e.topic === 'framework');
        assert.equal(`${ev?.file}:${ev?.line}`, want.frameworkEvidence);
      }
      assert.equal(a.warnings.length, want.warnings?.length ?? 0, `warnings: ${JSON.stringify(a.warnings)}`);
      want.warnings?.forEach((w, i) => assert.match(a.warnings[i] ?? '', w));
      // Every conclusion is backed by evidence naming a file.
      assert.ok(a.evidence.some((e) => e.topic === 'language'));
      for (const p of a.processes)
        assert.ok(
          a.evidence.some((e) => e.topic === `process:${p.name}`),
          `evidence for process ${p.name}`,
        );
      for (const s of a.services)
        assert.ok(
          a.evidence.some((e) => e.topic === `service:${s.name}` && e.file !== ''),
          `evidence for ${s.name}`,
        );
      assert.equal(JSON.parse(JSON.stringify(a)).language, a.language, 'JSON-safe');
    });
  }
});

describe('analysis details', () => {
  it('an env override beats the manifest', async () => {
    const a = await analyzeFixture('node-express-npm', { SLIPWAY_NODE_VERSION: '22' });
    assert.deepEqual([a.runtimeVersion.version, a.runtimeVersion.source], ['22', 'env']);
  });
  it('reports the file and line of the runtime version', async () => {
    const a = await analyzeFixture('ruby-rails');
    assert.deepEqual(
      [a.runtimeVersion.file, a.runtimeVersion.line, a.runtimeVersion.requested],
      ['Gemfile.lock', 39, '3.2.2'],
    );
  });
  it('sees Django services in settings and the dj_database_url call', async () => {
    const a = await analyzeFixture('python-django-pip');
    const ev = a.evidence.filter((e) => e.topic === 'service:redis').map((e) => `${e.file}:${e.line}`);
    assert.ok(ev.includes('mysite/settings.py:20'), JSON.stringify(ev));
    assert.ok(
      a.evidence.some((e) => e.topic === 'env:DATABASE_URL' && e.file === 'mysite/settings.py' && e.line === 14),
    );
  });
  it('sees the Rails database.yml adapter, cable.yml and the health route', async () => {
    const a = await analyzeFixture('ruby-rails');
    assert.ok(
      a.evidence.some((e) => e.topic === 'service:postgres' && e.file === 'config/database.yml' && e.line === 2),
    );
    assert.ok(a.evidence.some((e) => e.topic === 'service:redis' && e.file === 'config/cable.yml'));
    assert.equal(a.healthcheckPath, '/up');
    assert.equal(a.build.command, 'bundle exec rails assets:precompile');
  });
  it('records local path packages and offline installs', async () => {
    const py = await analyzeFixture('python-wsgi-local');
    assert.deepEqual([py.build.localPackages, py.build.offline], [['vendor/mylib'], true]);
    const rb = await analyzeFixture('ruby-rack-local');
    assert.deepEqual([rb.build.localPackages, rb.build.offline], [['vendor/mylib'], true]);
  });
  it('the Procfile wins over defaults and its release entry becomes the release command', async () => {
    const tree = memoryTree({
      'package.json': '{"scripts":{"start":"node a.js"}}',
      Procfile: 'release: node migrate.js\nworker: node w.js\nweb: node b.js\n',
    });
    const a = await analyzeTree(tree);
    assert.deepEqual(
      a.processes.map((p) => [p.name, p.command, p.source]),
      [
        ['web', 'node b.js', 'procfile'],
        ['worker', 'node w.js', 'procfile'],
      ],
    );
    assert.equal(a.releaseCommand, 'node migrate.js');
    assert.deepEqual(
      a.evidence.filter((e) => e.topic === 'process:web').map((e) => `${e.file}:${e.line}`),
      ['Procfile:3'],
    );
  });
  it('a Procfile without web keeps the default web process, with a warning', async () => {
    const a = await analyzeTree(memoryTree({ 'package.json': '{"main":"a.js"}', Procfile: 'worker: node w.js\n' }));
    assert.deepEqual(
      a.processes.map((p) => p.name),
      ['web', 'worker'],
    );
    assert.match(a.warnings.join('\n'), /no web entry/);
  });
  it('a Rails app with a package.json is a Ruby app, with a warning', async () => {
    const a = await analyzeTree(memoryTree({ Gemfile: 'gem "rails"\n', 'package.json': '{}' }));
    assert.equal(a.language, 'ruby');
    assert.match(a.warnings.join('\n'), /package\.json found too/);
  });
  it('packageManager in package.json beats the lockfile, with a warning', async () => {
    const a = await analyzeTree(
      memoryTree({ 'package.json': '{"packageManager":"yarn@4.1.0","main":"a.js"}', 'package-lock.json': '{}' }),
    );
    assert.equal(a.packageManager, 'yarn');
    assert.equal(a.build.packageManagerVersion, '4.1.0');
    assert.match(a.warnings.join('\n'), /asks for yarn but package-lock\.json belongs to npm/);
  });
});

describe('bad input', () => {
  const cases: Array<[string, string, RegExp, string?]> = [
    ['malformed-package-json', 'INVALID_INPUT', /^package\.json:5: not valid JSON/],
    ['malformed-pyproject', 'INVALID_INPUT', /^pyproject\.toml:6: not valid TOML/],
    ['malformed-gemfile', 'INVALID_INPUT', /^Gemfile:4: cannot read gem declaration "gem rack"/],
    ['malformed-procfile', 'PROCFILE_INVALID', /^Procfile:3: expected "type: command"/],
    ['malformed-requirements', 'INVALID_INPUT', /^requirements\.txt:2: not a requirement/],
    ['malformed-gomod', 'INVALID_INPUT', /^go\.mod:5: unknown directive "requires"/],
    ['unknown-language', 'INVALID_INPUT', /^cannot tell the language of \. \(found README\.md, main\.c\)/],
  ];
  for (const [fixture, code, message] of cases) {
    it(fixture, async () => {
      await assert.rejects(analyzeFixture(fixture), (err: unknown) => {
        assert.ok(err instanceof SlipwayError, String(err));
        assert.equal(err.code, code);
        assert.match(err.message, message);
        assert.ok(err.hint && err.hint.length > 0);
        return true;
      });
    });
  }
  it('package.json with wrong types names the dotted path', async () => {
    await assert.rejects(
      analyzeTree(memoryTree({ 'package.json': '{"scripts":{"start":1}}' })),
      /^SlipwayError: package\.json: scripts\.start: /,
    );
  });
  it('an empty directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-analyze-'));
    try {
      await assert.rejects(
        analyzeSource(dir),
        (err: unknown) =>
          err instanceof SlipwayError &&
          err.code === 'INVALID_INPUT' &&
          /is empty/.test(err.message) &&
          /Dockerfile/.test(err.hint ?? ''),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('a missing root', async () => {
    await assert.rejects(analyzeSource(join(FIXTURES, 'no-such-dir')), /does not exist/);
  });
  it('a missing or escaping sub-path', async () => {
    await assert.rejects(analyzeFixture('monorepo:apps/nope'), /apps\/nope does not exist/);
    await assert.rejects(analyzeSource(join(FIXTURES, 'monorepo'), { path: '../node-koa' }), /outside the source root/);
  });
  it('a Procfile alone is not enough', async () => {
    await assert.rejects(
      analyzeTree(memoryTree({ Procfile: 'web: ./run\n' })),
      (err: unknown) => err instanceof SlipwayError && /Procfile says how to run/.test(err.hint ?? ''),
    );
  });
});
