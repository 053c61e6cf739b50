import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyzeSource } from '../analyze.js';
import { parseSlipwayYml } from '../slipway-yml.js';
import type { Analysis } from '../types.js';
import { generateFiles } from './index.js';
import type { GenerateOptions } from './options.js';

/**
 * Snapshot tests: expected outputs live in test/fixtures/analyze/<fixture>/__snapshots__/ and were
 * reviewed by eye. UPDATE_SNAPSHOTS=1 rewrites them.
 */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/analyze/', import.meta.url));
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';
/**
 * Every analyzable fixture (the malformed ones are covered by analyze.test.ts); the monorepo is analyzed at apps/api.
 */
const FIXTURE_KEYS = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !/^(malformed-|unknown-)/.test(e.name))
  .map((e) => (e.name === 'monorepo' ? 'monorepo:apps/api' : e.name))
  .sort();

function analyzeFixture(key: string) {
  const [dir, path] = key.split(':') as [string, string | undefined];
  return analyzeSource(join(FIXTURES, dir), path ? { path } : {});
}
const SNAPSHOT_NAMES: Record<string, string> = {
  Dockerfile: 'Dockerfile',
  '.dockerignore': 'dockerignore',
  'docker-compose.yml': 'docker-compose.yml',
  'slipway.yml': 'slipway.yml',
  'slipway-php/heroku-php-apache2': 'heroku-php-apache2',
  'slipway-php/heroku-php-nginx': 'heroku-php-nginx',
};
const CA_FIXTURES = new Set([
  'php-heroku-apache',
  'python-django-whitenoise',
  'node-express-npm',
  'node-next-pnpm',
  'python-django-pip',
  'python-wsgi-local',
  'ruby-rack-local',
  'php-laravel',
  'go-mod',
]);

async function matchSnapshot(fixture: string, name: string, actual: string): Promise<void> {
  const file = join(FIXTURES, fixture.replace(':', '/'), '__snapshots__', name);
  if (UPDATE) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, actual);
    return;
  }
  const expected = await readFile(file, 'utf8').catch(() => undefined);
  assert.ok(expected !== undefined, `missing snapshot ${file}; run with UPDATE_SNAPSHOTS=1`);
  assert.equal(actual, expected, `snapshot ${file}`);
}

function stages(dockerfile: string): string[][] {
  const out: string[][] = [];
  for (const line of dockerfile.split('\n')) {
    if (line.startsWith('FROM ')) out.push([]);
    out[out.length - 1]?.push(line);
  }
  return out;
}

/** Properties every generated Dockerfile must have, whatever the snapshot says. */
function checkDockerfile(analysis: Analysis, text: string, opts: GenerateOptions): void {
  const all = stages(text);
  const last = all[all.length - 1] ?? [];
  assert.ok(all.length >= 1);
  const user = last.find((l) => l.startsWith('USER '));
  assert.ok(user && !/USER (root|0)\b/.test(user), 'non-root user in the runtime stage');
  assert.ok(
    last.some((l) => new RegExp(`PORT=${analysis.port}\\b`).test(l)),
    'ENV PORT in the runtime stage',
  );
  const cmd = last.find((l) => l.startsWith('CMD '));
  assert.ok(cmd, 'CMD present');
  assert.ok(Array.isArray(JSON.parse(cmd.slice(4))), 'exec-form CMD');
  if (analysis.build.command) assert.ok(all.length >= 2, 'multi-stage when there is a build step');
  for (const stage of all) {
    const manifests = stage.findIndex((l) => /^COPY (?!--from).*\.\/$/.test(l) && !l.includes(' . .'));
    const source = stage.findIndex((l) => /^COPY (--chown=\S+ )?\. \.$/.test(l));
    if (manifests !== -1 && source !== -1) assert.ok(manifests < source, 'manifests are copied before the source');
    const install = stage.findIndex((l) =>
      new RegExp(
        '^RUN .*(npm ci|npm install|pnpm install|yarn install|bun install|pip install|poetry install|pipenv|' +
          'bundle install|composer install|go mod download)',
      ).test(l),
    );
    if (install !== -1 && source !== -1)
      assert.ok(install < source, 'dependencies are installed before the source is copied');
    if (opts.caCert && stage.some((l) => l.startsWith('COPY ' + opts.caCert))) {
      const ca = stage.findIndex((l) => l.startsWith(`COPY ${opts.caCert} `));
      const apt = stage.findIndex((l) => l.includes('apt-get install'));
      assert.ok(apt !== -1 && apt < ca, 'apt runs before the extra CA is needed');
      assert.ok(stage[ca + 1] === 'RUN update-ca-certificates');
      for (const v of ['NODE_EXTRA_CA_CERTS', 'PIP_CERT', 'SSL_CERT_FILE'])
        assert.ok(
          stage.some((l) => l.includes(`${v}=`)),
          v,
        );
      if (install !== -1) assert.ok(ca < install, 'the CA is trusted before dependencies are downloaded');
    }
  }
  if (opts.caCert && analysis.language !== 'static')
    assert.ok(text.includes(`COPY ${opts.caCert} /usr/local/share/ca-certificates/`), 'CA copied');
  if (opts.runtime === 'debian') {
    for (const stage of all)
      assert.equal(stage[0], 'FROM debian:bookworm-slim' + (stage[0]?.endsWith(' AS build') ? ' AS build' : ''));
  }
}

describe('generateFiles snapshots', () => {
  for (const fixture of FIXTURE_KEYS) {
    it(fixture, async () => {
      const analysis = await analyzeFixture(fixture);
      const { evidence: _evidence, ...summary } = analysis;
      await matchSnapshot(
        fixture,
        'analysis.json',
        `${JSON.stringify({ ...summary, evidence: analysis.evidence }, null, 2)}\n`,
      );
      const variants: Array<[string, GenerateOptions]> = [
        ['official', {}],
        ['debian', { runtime: 'debian' }],
      ];
      if (CA_FIXTURES.has(fixture))
        variants.push(
          ['official-ca', { caCert: 'extra-ca.crt' }],
          ['debian-ca', { runtime: 'debian', caCert: 'extra-ca.crt' }],
        );
      for (const [variant, opts] of variants) {
        const files = generateFiles(analysis, { ...opts, appName: fixture.split(':')[0] });
        checkDockerfile(analysis, files.Dockerfile ?? '', opts);
        const yml = parseSlipwayYml(files['slipway.yml'] ?? '');
        assert.deepEqual(
          Object.keys(yml.processes),
          analysis.processes.map((p) => p.name),
        );
        assert.equal(yml.build?.runtime, opts.runtime ?? 'official');
        const names = variant === 'official' ? Object.keys(files) : ['Dockerfile'];
        for (const name of names) await matchSnapshot(fixture, `${variant}/${SNAPSHOT_NAMES[name]}`, files[name] ?? '');
      }
    });
  }
});

describe('generator options', () => {
  it('baseImage replaces the runtime image in every stage', async () => {
    const a = await analyzeFixture('node-next-pnpm');
    const text = generateFiles(a, { baseImage: 'registry.local/node:20' }).Dockerfile ?? '';
    assert.deepEqual(
      text.split('\n').filter((l) => l.startsWith('FROM ')),
      ['FROM registry.local/node:20 AS build', 'FROM registry.local/node:20'],
    );
  });
  it('Debian runtime warns in the Dockerfile when Debian cannot satisfy the pinned version', async () => {
    const a = await analyzeFixture('ruby-rails');
    assert.match(
      generateFiles(a, { runtime: 'debian' }).Dockerfile ?? '',
      /# Warning: runtime "debian" installs Debian bookworm's ruby 3\.1, but Gemfile\.lock:39 asks for 3\.2\.2/,
    );
  });
  it('compose wires service URLs and runs the release before the app', async () => {
    const a = await analyzeFixture('ruby-rails');
    const compose = generateFiles(a, { appName: 'shop' })['docker-compose.yml'] ?? '';
    assert.match(compose, /- DATABASE_URL=postgres:\/\/app:app@postgres:5432\/app/);
    assert.match(compose, /- REDIS_URL=redis:\/\/redis:6379\/0/);
    assert.match(
      compose,
      /release:\n\s+build: \.\n\s+image: shop:local\n\s+command:\n\s+- bundle\n\s+- exec\n\s+- rails\n\s+- db:migrate\n/,
    );
    assert.match(compose, /condition: service_completed_successfully/);
    assert.match(compose, /pg_isready/);
  });
  it('a Go app whose Procfile needs a shell runs on Debian slim, not distroless', async () => {
    const a = await analyzeFixture('go-mod');
    const withShell: Analysis = {
      ...a,
      processes: [{ name: 'web', command: '/app/bin/api --port $PORT', source: 'procfile' }],
    };
    assert.match(generateFiles(withShell).Dockerfile ?? '', /\nFROM debian:bookworm-slim\n/);
  });
});
