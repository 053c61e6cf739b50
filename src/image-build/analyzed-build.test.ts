import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import type { SlipwayEvent } from '../core/events.js';
import { DEFAULT_UPLOAD_LIMITS } from '../config/environment.js';
import { makeTestCert } from '../domains/testing/make-cert.js';
import { BuildWorkspace } from './pipeline/workspace.js';
import type { ContainerEngine, BuildOptions } from '../engine/port.js';
import { openStore, type Store } from '../store/store.js';
import { randomBytes } from 'node:crypto';
import { buildFromAnalysis } from './analyzed-build.js';
import type { SourceBuildContext } from './source-build-types.js';

/** Logic of the analyzed strategy up to the engine call; the engine is a recorder (the real build is in test/e2e). */
const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'analyze');
const PEM = makeTestCert(mkdtempSync(join(tmpdir(), 'slipway-analyzed-cert-')), { cn: 'Test Proxy CA' }).cert;

/** Names, modes and the Dockerfile text of a context tar stream (read in-process). */
async function readContext(
  context: Readable,
): Promise<{ files: string[]; dockerfile: string; modes: Record<string, number> }> {
  const files: string[] = [];
  const modes: Record<string, number> = {};
  let dockerfile = '';
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      files.push(entry.path);
      modes[entry.path] = entry.mode ?? 0;
      if (entry.path === 'Dockerfile') entry.on('data', (c: Buffer) => (dockerfile += c.toString()));
      else entry.resume();
    },
  });
  for await (const chunk of context) parser.write(chunk as Buffer);
  await new Promise<void>((resolve) => parser.end(() => resolve()));
  return { files: files.sort(), dockerfile, modes };
}

/** A real store in memory with the app `shop` (config: a version override and a secret). */
function newStore(config: Record<string, string> = {}): Store {
  const store = openStore(':memory:', randomBytes(32));
  store.apps.create('shop', new Date().toISOString());
  store.apps.setConfig('shop', { SLIPWAY_NODE_VERSION: '22', SECRET: 'x', ...config });
  return store;
}

/** The strategy runs on the extracted copy in the build's workspace (here filled directly, no upload). */
async function run(setup: (dir: string) => void, options: Record<string, string> = {}, store = newStore()) {
  const work = mkdtempSync(join(tmpdir(), 'slipway-analyzed-test-'));
  const workspace = new BuildWorkspace(work, 'b1');
  mkdirSync(workspace.src, { recursive: true });
  setup(workspace.src);
  const builds: Array<{ opts: BuildOptions; files: string[]; dockerfile: string; modes: Record<string, number> }> = [];
  const engine = {
    async buildImage(opts: BuildOptions) {
      builds.push({ opts, ...(await readContext(opts.context)) });
      return { imageId: 'sha256:0123456789abcdef0123' };
    },
  } as unknown as ContainerEngine;
  const events: SlipwayEvent[] = [];
  const ctx: SourceBuildContext = {
    engine,
    store,
    app: 'shop',
    workspace,
    files: new Set(),
    limits: DEFAULT_UPLOAD_LIMITS,
    tag: 'slipway/shop:build-1',
    buildArgs: {},
    options,
    labels: { 'slipway.app': 'shop' },
    emit: (e) => events.push(e),
  };
  try {
    const result = await buildFromAnalysis(ctx).catch((err: unknown) => err as Error);
    const leftover = readdirSync(tmpdir()).filter((n) => n.startsWith('slipway-build-shop-'));
    const texts = events.map((e) => (e.type === 'info' ? e.text : '')).join('\n');
    return { result, builds, events, texts, store, leftover, userFiles: readdirSync(workspace.src).sort() };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

test(
  'builds the generated Dockerfile in the private copy: ' +
    '.dockerignore applied, CA injected, the copy removed by its owner',
  async () => {
    const { result, builds, events, leftover, userFiles } = await run(
      (dir) => {
        cpSync(join(FIXTURES, 'node-express-npm'), dir, {
          recursive: true,
          filter: (s) => !s.includes('__snapshots__'),
        });
        mkdirSync(join(dir, 'node_modules', 'left-pad'), { recursive: true });
        writeFileSync(join(dir, 'node_modules', 'left-pad', 'index.js'), '');
        writeFileSync(join(dir, '.dockerignore'), 'secrets.txt\n');
        writeFileSync(join(dir, 'secrets.txt'), 'no');
      },
      { runtime: 'debian', baseImage: 'slipway/debian:bookworm', caCert: PEM },
    );
    assert.ok(!(result instanceof Error), String(result));
    assert.deepEqual(result.procfile, { web: 'node server.js' });
    assert.equal(builds.length, 1);
    const [build] = builds;
    assert.ok(
      build!.files.includes('slipway-ca.crt') &&
        build!.files.includes('package-lock.json') &&
        build!.files.includes('Dockerfile'),
    );
    assert.ok(
      !build!.files.some((f) => f.includes('node_modules') || f.includes('secrets.txt')),
      build!.files.join(' '),
    );
    assert.match(build!.dockerfile, /^FROM slipway\/debian:bookworm$/m);
    assert.match(build!.dockerfile, /^COPY slipway-ca\.crt /m);
    assert.match(events.map((e) => (e.type === 'info' ? e.text : '')).join('\n'), /analyzed \.: node .*express/);
    // The generated files went into the workspace copy (the e2e test checks the user's directory stays untouched).
    assert.deepEqual(userFiles, [
      '.dockerignore',
      'Dockerfile',
      'node_modules',
      'package-lock.json',
      'package.json',
      'secrets.txt',
      'server.js',
      'slipway-ca.crt',
    ]);
    assert.deepEqual(leftover, [], 'no temporary directory in the system tmp');
  },
);

test('an empty directory, an unknown language and a malformed manifest are refused before any build', async () => {
  const empty = await run(() => undefined);
  assert.match((empty.result as Error).message, /^no Dockerfile in the deployed directory, and it is empty$/);
  const unknown = await run((dir) => writeFileSync(join(dir, 'notes.txt'), 'hi'));
  assert.match((unknown.result as Error).message, /cannot tell what kind of app it is \(found notes\.txt\)/);
  const malformed = await run((dir) => cpSync(join(FIXTURES, 'malformed-package-json'), dir, { recursive: true }));
  assert.match((malformed.result as Error).message, /^package\.json:\d+/);
  const badYml = await run((dir) => {
    cpSync(join(FIXTURES, 'node-plain-main'), dir, { recursive: true, filter: (s) => !s.includes('__snapshots__') });
    writeFileSync(join(dir, 'slipway.yml'), 'port: 3000\nnope: 1\n');
  });
  assert.match((badYml.result as Error).message, /^slipway\.yml: /);
  for (const r of [empty, unknown, malformed, badYml]) {
    assert.deepEqual(r.builds, []);
    assert.deepEqual(r.leftover, []);
  }
});

test('a monorepo app is built from its own directory; slipway.yml there sets processes and settings', async () => {
  const { result, builds } = await run(
    (dir) => {
      cpSync(join(FIXTURES, 'monorepo'), dir, { recursive: true, filter: (s) => !s.includes('__snapshots__') });
      writeFileSync(
        join(dir, 'apps', 'api', 'slipway.yml'),
        'processes:\n  web: node index.js\n  worker: node worker.js\nport: 4000\nrelease: node migrate.js\n',
      );
    },
    { path: 'apps/api' },
  );
  assert.ok(!(result instanceof Error), String(result));
  assert.deepEqual(result.procfile, { web: 'node index.js', worker: 'node worker.js', release: 'node migrate.js' });
  assert.deepEqual(result.settings, { port: 4000, build: { path: 'apps/api' } });
  assert.ok(
    builds[0]!.files.includes('index.js') && !builds[0]!.files.some((f) => f.includes('apps/')),
    builds[0]!.files.join(' '),
  );
  assert.match(builds[0]!.dockerfile, /FROM node:22-bookworm-slim/, 'SLIPWAY_NODE_VERSION from the app config');
});

const copy = (fixture: string) => (dir: string) =>
  cpSync(join(FIXTURES, fixture), dir, { recursive: true, filter: (s) => !s.includes('__snapshots__') });

test('analyze and deploy agree: the port, health check and EXPOSE come from the analysis', async () => {
  const { result, builds } = await run(copy('node-express-getting-started'));
  assert.ok(!(result instanceof Error), String(result));
  assert.deepEqual([result.settings?.port, result.settings?.healthcheck?.path], [5006, '/']);
  assert.match(builds[0]!.dockerfile, /^EXPOSE 5006$/m);
  assert.match(builds[0]!.dockerfile, /PORT=5006/);
  // An app with no route known to answer gets a TCP check (a path set before is replaced).
  const tcp = await run(copy('node-plain-main'));
  assert.ok(!(tcp.result instanceof Error), String(tcp.result));
  assert.equal(tcp.result.settings?.healthcheck?.path, undefined);
  assert.equal(tcp.result.settings?.healthcheck?.attempts, 60, "the app's own attempts are kept");
});

test('build options are remembered per app; a flag given overrides and is remembered', async () => {
  const store = newStore();
  const first = await run(
    copy('monorepo'),
    { runtime: 'debian', baseImage: 'slipway/debian:bookworm', path: 'apps/api', caCert: PEM },
    store,
  );
  assert.ok(!(first.result instanceof Error), String(first.result));
  const saved = store.apps.get('shop').settings.build;
  assert.deepEqual(
    [saved?.runtime, saved?.baseImage, saved?.path, saved?.caCert?.certificates],
    ['debian', 'slipway/debian:bookworm', 'apps/api', 1],
  );
  assert.equal(store.buildCa.get('shop')?.pem, PEM, 'the certificate is in the store, not the settings');
  assert.ok(!JSON.stringify(saved).includes('BEGIN CERTIFICATE'));

  const again = await run(copy('monorepo'), {}, store);
  assert.ok(!(again.result instanceof Error), String(again.result));
  assert.match(again.builds[0]!.dockerfile, /^FROM slipway\/debian:bookworm$/m);
  assert.match(again.builds[0]!.dockerfile, /^COPY slipway-ca\.crt /m);
  assert.ok(again.builds[0]!.files.includes('index.js'), 'built from apps/api again');
  assert.match(
    again.texts,
    /build options remembered from an earlier deploy: runtime debian, base image .*, path apps\/api, the extra CA/,
  );

  const override = await run(copy('monorepo'), { runtime: 'official', baseImage: 'registry.local/node:22' }, store);
  assert.ok(!(override.result instanceof Error), String(override.result));
  assert.match(override.builds[0]!.dockerfile, /^FROM registry\.local\/node:22$/m);
  assert.deepEqual(
    [store.apps.get('shop').settings.build?.runtime, store.apps.get('shop').settings.build?.baseImage],
    ['official', 'registry.local/node:22'],
  );
  const bad = await run(copy('monorepo'), { baseImage: 'Not An Image' }, store);
  assert.match((bad.result as Error).message, /^--base-image: must be an image reference/);
  assert.deepEqual(bad.builds, []);
});

test('a release command that needs a database runs only once the app has its URL', async () => {
  const without = await run(copy('python-django-whitenoise'));
  assert.ok(!(without.result instanceof Error), String(without.result));
  assert.equal(without.result.procfile?.['release'], undefined);
  assert.match(without.texts, /release command "python manage\.py migrate --noinput" not run: DATABASE_URL is not set/);
  const withUrl = await run(copy('python-django-whitenoise'), {}, newStore({ DATABASE_URL: 'postgres://db/app' }));
  assert.ok(!(withUrl.result instanceof Error), String(withUrl.result));
  assert.equal(withUrl.result.procfile?.['release'], 'python manage.py migrate --noinput');
  assert.match(
    withUrl.builds[0]!.dockerfile,
    /RUN DJANGO_SECRET_KEY=collectstatic-placeholder python manage\.py collectstatic/,
  );
});

test('a Heroku PHP buildpack command gets its start script in the context, executable', async () => {
  const { result, builds, texts } = await run(copy('php-heroku-apache'), { runtime: 'debian' });
  assert.ok(!(result instanceof Error), String(result));
  assert.deepEqual(result.procfile, { web: 'heroku-php-apache2 web/' });
  assert.ok(builds[0]!.files.includes('slipway-php/heroku-php-apache2'), builds[0]!.files.join(' '));
  assert.equal(builds[0]!.modes['slipway-php/heroku-php-apache2']! & 0o111, 0o111);
  assert.match(builds[0]!.dockerfile, /apache2 .*libapache2-mod-php/);
  assert.doesNotMatch(texts, /^warning:/m);
});
