import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyzeSource, analyzeTree } from './analyze.js';
import { memoryTree } from './read-source.js';

/** Issue 9 §1: what real apps need from the analysis (processes, port, health check, release, build step, warnings). */
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/analyze/', import.meta.url));

describe('real-app shapes: processes, port, health check, release, build step', () => {
  const DJANGO_MANAGE = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n';
  const django = (settings: string, extra: Record<string, string> = {}) =>
    analyzeTree(
      memoryTree({
        'requirements.txt': 'django>=4.2\ngunicorn\n',
        'manage.py': DJANGO_MANAGE,
        'site1/settings.py': `WSGI_APPLICATION = "site1.wsgi.application"\nROOT_URLCONF = "site1.urls"\n${settings}`,
        'site1/urls.py': 'urlpatterns = [path("", index)]\n',
        ...extra,
      }),
    );
  const migration = { 'shop/migrations/0001_initial.py': 'class Migration: pass\n' };

  it('FastAPI / Flask app objects in package modules and a src layout', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'api/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n' }, 'uvicorn api.main:app --host'],
      [{ 'app/__init__.py': 'import fastapi\napi: fastapi.FastAPI = fastapi.FastAPI()\n' }, 'uvicorn app:api --host'],
      [
        { 'src/shop/app.py': 'from fastapi import FastAPI\nserver = FastAPI()\n' },
        'uvicorn shop.app:server --app-dir src',
      ],
    ];
    for (const [files, command] of cases) {
      const a = await analyzeTree(memoryTree({ 'requirements.txt': 'fastapi\nuvicorn\n', ...files }));
      assert.ok(a.processes[0]?.command.startsWith(command), `${Object.keys(files)[0]}: ${a.processes[0]?.command}`);
      assert.ok(!a.warnings.some((w) => /assuming/.test(w)), a.warnings.join('\n'));
    }
    const flask = await analyzeTree(
      memoryTree({ 'requirements.txt': 'flask\ngunicorn\n', 'web/__init__.py': 'def create_app():\n  pass\n' }),
    );
    assert.equal(flask.processes[0]?.command, "gunicorn 'web:create_app()' --bind 0.0.0.0:$PORT");
  });

  it('a commented-out Procfile release is no release, and analyze says so', async () => {
    const a = await analyzeTree(
      memoryTree({ 'package.json': '{"main":"a.js"}', Procfile: 'web: node a.js\n#release: node migrate.js\n' }),
    );
    assert.equal(a.releaseCommand, null);
    assert.match(
      a.evidence.find((e) => e.topic === 'release')?.reason ?? '',
      /"release: node migrate\.js" is commented out/,
    );
  });

  it('Django migrate only with migrations and a database server (conditional on DATABASE_URL)', async () => {
    const none = await django('DATABASES = {"default": dj_database_url.config()}\n');
    assert.deepEqual([none.releaseCommand, none.releaseRequires], [null, []]);
    const sqlite = await django('DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"}}\n', migration);
    assert.equal(sqlite.releaseCommand, null);
    assert.ok(sqlite.evidence.some((e) => e.topic === 'release' && /SQLite inside the container/.test(e.reason)));
    const url = await django('DATABASES = {"default": dj_database_url.config()}\n', migration);
    assert.deepEqual(
      [url.releaseCommand, url.releaseRequires],
      ['python manage.py migrate --noinput', ['DATABASE_URL']],
    );
    const server = await django(
      'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": "db"}}\n',
      migration,
    );
    assert.deepEqual([server.releaseCommand, server.releaseRequires], ['python manage.py migrate --noinput', []]);
  });

  it('collectstatic at build time (staticfiles + STATIC_ROOT); a required SECRET_KEY gets a placeholder', async () => {
    const apps = 'INSTALLED_APPS = ["django.contrib.staticfiles"]\n';
    const a = await django(`SECRET_KEY = os.environ["APP_SECRET"]\n${apps}STATIC_ROOT = BASE_DIR / "static"\n`);
    assert.equal(a.build.command, 'APP_SECRET=collectstatic-placeholder python manage.py collectstatic --noinput');
    const commented = await django(`# INSTALLED_APPS = ["django.contrib.staticfiles"]\nSTATIC_ROOT = "x"\n`);
    assert.equal(commented.build.command, undefined, 'a commented-out app is no app');
    const manifest = await django(`${apps}STATICFILES_STORAGE = "whitenoise.storage.ManifestStaticFilesStorage"\n`);
    assert.match(
      manifest.warnings.join('\n'),
      /manifest static files storage needs collectstatic, which needs STATIC_ROOT/,
    );
  });

  it('Django is probed over HTTP only when ALLOWED_HOSTS admits any Host', async () => {
    assert.equal((await django('ALLOWED_HOSTS = ["*"]\n')).healthcheckPath, '/');
    const strict = await django('ALLOWED_HOSTS = ["shop.example.com"]\n');
    assert.equal(strict.healthcheckPath, null);
    assert.match(strict.evidence.find((e) => e.topic === 'healthcheck')?.reason ?? '', /TCP check/);
  });

  it("port: the app's own fallback, a fixed listen port, a port in the web command", async () => {
    const fallback = await analyzeTree(
      memoryTree({
        'package.json': '{"main":"server.js","dependencies":{"express":"^4"}}',
        'server.js': 'const app = express()\napp.listen(process.env.PORT || 5000)\n',
      }),
    );
    assert.deepEqual([fallback.port, fallback.healthcheckPath], [5000, null]);
    const fixed = await analyzeTree(
      memoryTree({ 'package.json': '{"main":"server.js"}', 'server.js': '// app.listen(8080)\nserver.listen(3001)\n' }),
    );
    assert.equal(fixed.port, 3001);
    assert.match(fixed.warnings.join('\n'), /server\.js:2 listens on port 3001 without reading PORT/);
    const procfile = await analyzeTree(
      memoryTree({ 'requirements.txt': 'gunicorn\n', Procfile: 'web: gunicorn app:app --bind 0.0.0.0:8001\n' }),
    );
    assert.equal(procfile.port, 8001);
    assert.match(procfile.warnings.join('\n'), /listens on 8001; use \$PORT/);
  });

  it('heroku-postbuild runs instead of build, as on Heroku', async () => {
    const a = await analyzeTree(
      memoryTree({
        'package.json': '{"main":"a.js","scripts":{"build":"tsc","heroku-postbuild":"npm run build && npm run css"}}',
      }),
    );
    assert.equal(a.build.command, 'npm run heroku-postbuild');
  });
});

describe('PHP: Heroku buildpack commands and frameworks', () => {
  const php = (procfile: string, files: Record<string, string> = { 'public/index.php': '<?php' }) =>
    analyzeTree(memoryTree({ 'composer.json': '{"require":{"php":">=8.1"}}', Procfile: procfile, ...files }));
  it('heroku-php-nginx through vendor/bin, with an include and an ignored option', async () => {
    const a = await php('web: vendor/bin/heroku-php-nginx -C nginx.conf -F fpm.conf public/\n');
    assert.deepEqual(a.build.phpServer, {
      kind: 'nginx',
      docroot: 'public',
      command: 'heroku-php-nginx',
      invokedAs: 'vendor/bin/heroku-php-nginx',
    });
    assert.match(a.warnings.join('\n'), /-F \(Heroku's own php-fpm\/php\.ini setup\) is ignored/);
  });
  it('a missing document root and the nginx buildpack are warnings', async () => {
    assert.match(
      (await php('web: heroku-php-apache2 docroot/\n')).warnings.join('\n'),
      /document root docroot\/ does not exist/,
    );
    const nginx = await php('web: bin/start-nginx bundle exec puma\n');
    assert.equal(nginx.build.phpServer, undefined);
    assert.match(nginx.warnings.join('\n'), /bin\/start-nginx is Heroku's nginx buildpack/);
  });
  it('no Procfile: Apache on the framework document root', async () => {
    const a = await analyzeTree(
      memoryTree({ 'composer.json': '{"require":{"cakephp/cakephp":"^5.0"}}', 'webroot/index.php': '<?php' }),
    );
    assert.deepEqual([a.framework, a.processes[0]?.command], ['cakephp', 'heroku-php-apache2 webroot/']);
  });
});

describe('runtime-specific warnings follow the runtime the image is built with', () => {
  it('analyze (no runtime) marks the Debian ones; init/deploy get only their own', async () => {
    const fixture = join(FIXTURES, 'node-express-getting-started');
    const both = await analyzeSource(fixture);
    const debian = await analyzeSource(fixture, { runtime: 'debian' });
    const official = await analyzeSource(fixture, { runtime: 'official' });
    const custom = await analyzeSource(fixture, { runtime: 'official', baseImage: 'registry.local/node:4' });
    const debianOnCustom = await analyzeSource(fixture, { runtime: 'debian', baseImage: 'registry.local/debian' });
    assert.deepEqual(debianOnCustom.warnings, debian.warnings, "Debian's packages on any base: still Debian's node");
    assert.equal(both.warnings.length, 2);
    assert.deepEqual(
      debian.warnings.map((w) => /^runtime "debian" installs Debian bookworm's node 18\.19/.test(w)),
      [true],
    );
    assert.deepEqual(
      official.warnings.map((w) => /asks for node 4\.0\.0: .*using node 18/.test(w)),
      [true],
    );
    assert.deepEqual(custom.warnings, []);
  });
});
