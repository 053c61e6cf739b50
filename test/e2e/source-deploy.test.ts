import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, get, uniqueApp, type CliResult } from './harness.js';
import { runCli } from '../../src/cli/main.js';
import { BUILD_FLAGS, FIXTURES, copyFixture, deployOk, stepOutput } from './source-helpers.js';

/**
 * Deploys of plain source (no Dockerfile): analysis → generated Dockerfile → real build → rollout
 * behind the real HAProxy. Debian runtime on the local base image (no container registry here); npm
 * is reachable through the host's CA bundle, PyPI and RubyGems are not (local path packages).
 */
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

/** Makes the manifest unique to this run, so the dependency install really runs (not from an earlier run's cache). */
function stampManifest(dir: string): void {
  const nonce = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const pkg = join(dir, 'package.json');
  if (existsSync(pkg)) {
    writeFileSync(
      pkg,
      JSON.stringify(
        { ...(JSON.parse(readFileSync(pkg, 'utf8')) as object), description: `slipway e2e ${nonce}` },
        null,
        2,
      ),
    );
    return;
  }
  for (const name of ['requirements.txt', 'Gemfile']) {
    if (existsSync(join(dir, name)))
      writeFileSync(join(dir, name), `${readFileSync(join(dir, name), 'utf8')}# e2e run ${nonce}\n`);
  }
}

async function answers(h: Harness, app: string, body: RegExp): Promise<void> {
  const res = await get(h.httpPort, h.host(app));
  assert.equal(res.status, 200, `${app}: ${res.status} ${res.body}`);
  assert.match(res.body, body);
}

describe('deploy of a directory without a Dockerfile (real builds, real Docker, real HAProxy)', () => {
  let h: Harness;
  let work: string;
  const apps = {
    node: uniqueApp('src-node'),
    python: uniqueApp('src-py'),
    ruby: uniqueApp('src-rb'),
    bad: uniqueApp('src-bad'),
  };
  const dirs: Record<string, string> = {};
  const deploys: Record<string, CliResult> = {};

  const images = async (app: string): Promise<string[]> => {
    const { stdout } = await h.ok('releases', '-a', app, '--json');
    return (JSON.parse(stdout) as { image: string }[]).map((r) => r.image);
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'slipway-source-'));
    dirs['node'] = copyFixture(work, 'node-express-npm');
    dirs['python'] = copyFixture(work, 'python-wsgi-local');
    dirs['ruby'] = copyFixture(work, 'ruby-rack-local');
    for (const dir of Object.values(dirs)) stampManifest(dir);
    h = await Harness.create();
    await h.startServer();
    for (const app of Object.values(apps)) await h.ok('apps:create', app);
    // The three first builds run at once: apt-get inside them is what takes time.
    const [node, python, ruby] = await Promise.all([
      deployOk(h, ['deploy', '-a', apps.node, dirs['node']!, ...BUILD_FLAGS, '--ca-cert', HOST_CA]),
      deployOk(h, ['deploy', '-a', apps.python, dirs['python']!, ...BUILD_FLAGS]),
      deployOk(h, ['deploy', '-a', apps.ruby, dirs['ruby']!, ...BUILD_FLAGS]),
    ]);
    Object.assign(deploys, { node, python, ruby });
  });

  after(async () => {
    const all = Object.values(apps);
    const tags = (await Promise.all(all.map((a) => images(a).catch(() => [])))).flat();
    h.removeAppContainers(...all);
    await h.destroy();
    if (tags.length) {
      try {
        execFileSync('docker', ['rmi', '-f', ...new Set(tags)], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
    rmSync(work, { recursive: true, force: true });
  });

  test(
    'a Node app with npm dependencies from the ' + 'registry (through the host CA bundle) answers through the router',
    async () => {
      await answers(h, apps.node, /hello from express/);
      assert.match(deploys['node']!.stderr, /analyzed \.: node .*framework express/);
      assert.match(stepOutput(deploys['node']!.stderr, /RUN npm ci/), /added \d+ packages/);
      assert.match(deploys['node']!.stderr, /COPY slipway-ca\.crt/, 'the extra CA reaches the build');
    },
  );

  test('a Python app with a local path package answers through the router', async () => {
    await answers(h, apps.python, /hello from python-wsgi-local/);
    assert.match(stepOutput(deploys['python']!.stderr, /RUN pip install/), /Successfully installed mylib/);
  });

  test('a Ruby app with a path gem answers through the router', async () => {
    await answers(h, apps.ruby, /hello from ruby-rack-local/);
    assert.match(stepOutput(deploys['ruby']!.stderr, /RUN bundle install/), /Using mylib 0\.1\.0 from source/);
  });

  test('nothing is written into the deployed directories', () => {
    for (const dir of Object.values(dirs)) {
      for (const name of ['Dockerfile', '.dockerignore', 'slipway-ca.crt', 'docker-compose.yml', 'slipway.yml'])
        assert.equal(existsSync(join(dir, name)), false, `${dir}/${name}`);
    }
  });

  test('a source-only change rebuilds only the layers after the dependency install', async () => {
    const server = join(dirs['node']!, 'server.js');
    writeFileSync(server, readFileSync(server, 'utf8').replace('hello from express', 'hello again from express'));
    const { stderr } = await deployOk(h, [
      'deploy',
      '-a',
      apps.node,
      dirs['node']!,
      ...BUILD_FLAGS,
      '--ca-cert',
      HOST_CA,
    ]);
    for (const step of [/RUN apt-get update/, /COPY package\.json package-lock\.json/, /RUN npm ci/])
      assert.match(stepOutput(stderr, step), /Using cache/, `cached: ${step}`);
    assert.doesNotMatch(stepOutput(stderr, /COPY --chown=app:app \. \./), /Using cache/, 'the source layer is rebuilt');
    await answers(h, apps.node, /hello again from express/);
    const [next, previous] = await images(apps.node);
    // docker history: the dependency layer is the very same layer in both images; the source layer is not.
    const layer = (image: string, createdBy: RegExp) => {
      const lines = execFileSync('docker', ['history', '--no-trunc', '--format', '{{.ID}}\t{{.CreatedBy}}', image], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n');
      const found = lines.find((l) => createdBy.test(l.split('\t')[1] ?? ''));
      assert.ok(found, `${image} has a layer made by ${createdBy}`);
      return found.split('\t')[0];
    };
    assert.equal(layer(next!, /npm ci/), layer(previous!, /npm ci/));
    assert.notEqual(layer(next!, /COPY --chown=app:app/), layer(previous!, /COPY --chown=app:app/));
  });

  test('slipway.yml next to the source sets the health check and the processes', async () => {
    const dir = dirs['python']!;
    writeFileSync(
      join(dir, 'slipway.yml'),
      'processes:\n  web: python app.py\nport: 8000\nhealthcheck:\n  path: /\n  attempts: 40\n',
    );
    rmSync(join(dir, 'Procfile'));
    await deployOk(h, ['deploy', '-a', apps.python, dir, ...BUILD_FLAGS]);
    const settings = JSON.parse((await h.ok('apps:settings', '-a', apps.python, '--json')).stdout) as {
      port: number;
      healthcheck: { path?: string; attempts: number };
    };
    assert.deepEqual([settings.port, settings.healthcheck.path, settings.healthcheck.attempts], [8000, '/', 40]);
    await answers(h, apps.python, /hello from python-wsgi-local/);
  });

  test('a malformed manifest is refused naming the file and line; nothing is built or released', async () => {
    const dir = copyFixture(work, 'malformed-package-json');
    const result = h.spawnCli(['deploy', '-a', apps.bad, dir, ...BUILD_FLAGS, '--json']);
    assert.notEqual(result.code, 0);
    const error = (JSON.parse(result.stdout) as { error: { message: string; hint?: string } }).error;
    assert.match(error.message, /package\.json:\d+/);
    assert.ok(error.hint);
    assert.deepEqual(await images(apps.bad), []);
  });
});

describe('slipway init (local, no server)', () => {
  let work: string;
  const cli = async (...argv: string[]): Promise<CliResult> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, { out: (t) => (stdout += `${t}\n`), err: (t) => (stderr += `${t}\n`) });
    return { code, stdout, stderr };
  };

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'slipway-init-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test(
    'writes Dockerfile, .dockerignore, ' + 'docker-compose.yml and slipway.yml; the CA goes in under a fixed name',
    async () => {
      const dir = copyFixture(work, 'node-express-npm');
      const result = await cli('init', dir, '--runtime', 'debian', '--ca-cert', HOST_CA);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(readdirSync(dir).sort(), [
        '.dockerignore',
        'Dockerfile',
        'docker-compose.yml',
        'package-lock.json',
        'package.json',
        'server.js',
        'slipway-ca.crt',
        'slipway.yml',
      ]);
      assert.equal(readFileSync(join(dir, 'slipway-ca.crt'), 'utf8'), readFileSync(HOST_CA, 'utf8'));
      assert.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), /^COPY slipway-ca\.crt /m);
      assert.match(readFileSync(join(dir, 'slipway.yml'), 'utf8'), /caCert: slipway-ca\.crt/);
    },
  );

  test('refuses to overwrite without --force, names the files and writes nothing; --force replaces them', async () => {
    const dir = copyFixture(work, 'python-wsgi-local');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
    const refused = await cli('init', dir, '--json');
    assert.equal(refused.code, 1);
    const error = (JSON.parse(refused.stdout) as { error: { message: string; hint: string } }).error;
    assert.match(error.message, /already has Dockerfile; nothing was written/);
    assert.match(error.hint, /--force/);
    assert.equal(readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'FROM scratch\n');
    assert.equal(existsSync(join(dir, 'slipway.yml')), false, 'all or nothing');
    const forced = await cli('init', dir, '--force', '--json');
    assert.equal(forced.code, 0, forced.stdout);
    assert.deepEqual((JSON.parse(forced.stdout) as { replaced: string[] }).replaced, ['Dockerfile']);
    assert.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), /pip install/);
    // slipway.yml build settings are read back: a second init with no flags changes nothing.
    await cli('init', dir, '--force', '--runtime', 'debian');
    assert.equal((await cli('init', dir)).code, 0);
  });

  test('analyze explains each conclusion with file:line', async () => {
    const result = await cli('analyze', join(FIXTURES, 'ruby-rails'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /framework +rails\n +← Gemfile:5 +gem "rails"/);
    const json = await cli('analyze', join(FIXTURES, 'monorepo'), '--path', 'apps/api', '--json');
    assert.equal((JSON.parse(json.stdout) as { path: string }).path, 'apps/api');
  });
});
