import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, get, uniqueApp, type CliResult } from './harness.js';
import { BUILD_FLAGS, DEBIAN_BASE, copyFixture, deployOk, stepOutput } from './source-helpers.js';

/**
 * Apps of the same shape as Heroku's getting-started apps, deployed for real without a Dockerfile
 * (issue 9 §1): a Django site whose WhiteNoise manifest storage needs `collectstatic` at build time,
 * and a PHP app started by Heroku's `heroku-php-apache2 web/`. Debian packages only (no PyPI or
 * Packagist here): Django, gunicorn and WhiteNoise come from Debian; the PHP app has no Composer
 * packages. The build options given once are remembered for the next deploy.
 */
describe('real-app shapes deploy and answer through the router', () => {
  let h: Harness;
  let work: string;
  const apps = { django: uniqueApp('real-django'), php: uniqueApp('real-php'), pipe: uniqueApp('real-pipe') };
  const dirs: Record<string, string> = {};
  const deploys: Record<string, CliResult> = {};

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'slipway-real-apps-'));
    dirs['django'] = copyFixture(work, 'python-django-whitenoise');
    dirs['php'] = copyFixture(work, 'php-heroku-apache');
    // A change of this run's own, so the dependency install and collectstatic really run (no cache from before).
    const nonce = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    appendFileSync(join(dirs['django']!, 'requirements.txt'), `# e2e run ${nonce}\n`);
    h = await Harness.create();
    await h.startServer();
    for (const app of Object.values(apps)) await h.ok('apps:create', app);
    const [django, php] = await Promise.all([
      deployOk(h, ['deploy', '-a', apps.django, dirs['django']!, ...BUILD_FLAGS]),
      deployOk(h, ['deploy', '-a', apps.php, dirs['php']!, ...BUILD_FLAGS]),
    ]);
    Object.assign(deploys, { django, php });
  });

  after(async () => {
    h.removeAppContainers(...Object.values(apps));
    await h.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  test('Django + WhiteNoise manifest storage: / answers 200 and its hashed static file is served', async () => {
    const page = await get(h.httpPort, h.host(apps.django));
    assert.equal(page.status, 200, page.body);
    assert.match(page.body, /hello from django/);
    const css = /href="(\/static\/hello\/site\.[0-9a-f]{12}\.css)"/.exec(page.body)?.[1];
    assert.ok(css, `a hashed static URL in ${page.body}`);
    const file = await get(h.httpPort, h.host(apps.django), css);
    assert.equal(file.status, 200);
    assert.match(file.body, /font-family/);
    const log = deploys['django']!.stderr;
    assert.match(stepOutput(log, /collectstatic --noinput/), /static files? copied/);
    assert.match(stepOutput(log, /RUN pip install -r requirements\.txt/), /Requirement already satisfied: django/i);
  });

  test('Django: no invented release, the port and HTTP check of the analysis, version warning shown', async () => {
    const log = deploys['django']!.stderr;
    assert.match(log, /release command "python manage\.py migrate --noinput" not run: DATABASE_URL is not set/);
    assert.doesNotMatch(log, /release phase|run release/i);
    assert.match(log, /warning: runtime "debian" installs Debian bookworm's python 3\.11, but \.python-version:1 asks/);
    const settings = JSON.parse((await h.ok('apps:settings', '-a', apps.django, '--json')).stdout) as {
      port: number;
      healthcheck: { path?: string };
      build?: { runtime?: string; baseImage?: string };
    };
    assert.deepEqual([settings.port, settings.healthcheck.path], [5006, '/']);
    assert.deepEqual(settings.build, { runtime: 'debian', baseImage: DEBIAN_BASE });
  });

  test('PHP heroku-php-apache2 web/: Apache + mod_php with that document root, .htaccess rewrites', async () => {
    const routed = await get(h.httpPort, h.host(apps.php), '/hello/there');
    assert.equal(routed.status, 200, routed.body);
    assert.equal(routed.body.trim(), 'hello from php-heroku-apache at /hello/there');
    const asset = await get(h.httpPort, h.host(apps.php), '/site.css');
    assert.deepEqual([asset.status, asset.body.trim()], [200, 'body { color: #6c78af; }']);
    const hidden = await get(h.httpPort, h.host(apps.php), '/.htaccess');
    assert.equal(hidden.status, 403);
    assert.equal(existsSync(join(dirs['php']!, 'slipway-php')), false, 'nothing written into the deployed directory');
  });

  test('the next deploy of the same directory needs no flags: the build options are remembered', async () => {
    const again = await deployOk(h, ['deploy', '-a', apps.django, dirs['django']!]);
    assert.match(again.stderr, /build options remembered from an earlier deploy: runtime debian, base image/);
    assert.match(again.stderr, new RegExp(`Step 1/\\d+ : FROM ${DEBIAN_BASE.replace(/[/.]/g, '\\$&')} AS build`));
    assert.equal((await get(h.httpPort, h.host(apps.django))).status, 200);
    await h.ok('apps:settings:set', '-a', apps.django, 'build.runtime=', 'build.base-image=');
    const forgotten = await h.ok('apps:settings', '-a', apps.django);
    assert.match(forgotten.stdout, /build\.runtime +\(official\)/);
  });

  test('init output builds: the generated Dockerfile, Procfile and slipway.yml deploy as they are', async () => {
    await h.ok('init', dirs['php']!, ...BUILD_FLAGS);
    assert.ok(existsSync(join(dirs['php']!, 'slipway-php', 'heroku-php-apache2')));
    const { stderr } = await deployOk(h, ['deploy', '-a', apps.php, dirs['php']!]);
    assert.doesNotMatch(stderr, /analyzed \.:/, 'built from the Dockerfile init wrote, not analyzed again');
    const routed = await get(h.httpPort, h.host(apps.php), '/after/init');
    assert.equal(routed.body.trim(), 'hello from php-heroku-apache at /after/init');
  });

  test('build.yml: a step two levels down gets the artifacts of every ancestor', async () => {
    const dir = join(work, 'pipeline');
    execFileSync('mkdir', ['-p', dir]);
    const step = (name: string, body: string) => writeFileSync(join(dir, name), `FROM ${DEBIAN_BASE}\n${body}`);
    step('Dockerfile.deps', 'RUN mkdir -p /out && echo from-deps > /out/deps.txt\n');
    step('Dockerfile.compile', 'COPY deps.txt /in/\nRUN mkdir -p /out && cat /in/deps.txt > /out/compiled.txt\n');
    step('Dockerfile.image', 'COPY deps.txt compiled.txt /srv/\n');
    writeFileSync(
      join(dir, 'build.yml'),
      'steps:\n' +
        '  deps: { dockerfile: Dockerfile.deps, artifacts: ["/out/deps.txt:deps.txt"] }\n' +
        '  compile: { dockerfile: Dockerfile.compile, depends_on: [deps],\n' +
        '             artifacts: ["/out/compiled.txt:compiled.txt"] }\n' +
        '  image: { dockerfile: Dockerfile.image, depends_on: [compile] }\n' +
        'final: image\n',
    );
    const { stdout } = await h.ok('build', '-a', apps.pipe, dir);
    const image = new RegExp(`built ${apps.pipe} build \\S+: (slipway/${apps.pipe}:\\S+) `).exec(stdout)?.[1];
    assert.ok(image, stdout);
    const files = execFileSync('docker', ['run', '--rm', image, 'cat', '/srv/deps.txt', '/srv/compiled.txt'], {
      encoding: 'utf8',
    });
    assert.equal(files, 'from-deps\nfrom-deps\n');
  });
});
