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
import type { Store } from '../store/store.js';
import { buildFromAnalysis } from './analyzed-build.js';
import type { SourceBuildContext } from './source-build-types.js';

/** Logic of the analyzed strategy up to the engine call; the engine is a recorder (the real build is in test/e2e). */
const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'analyze');
const PEM = makeTestCert(mkdtempSync(join(tmpdir(), 'slipway-analyzed-cert-')), { cn: 'Test Proxy CA' }).cert;

/** Names and the Dockerfile text of a context tar stream (read in-process). */
async function readContext(context: Readable): Promise<{ files: string[]; dockerfile: string }> {
  const files: string[] = [];
  let dockerfile = '';
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      files.push(entry.path);
      if (entry.path === 'Dockerfile') entry.on('data', (c: Buffer) => (dockerfile += c.toString()));
      else entry.resume();
    },
  });
  for await (const chunk of context) parser.write(chunk as Buffer);
  await new Promise<void>((resolve) => parser.end(() => resolve()));
  return { files: files.sort(), dockerfile };
}

/** The strategy runs on the extracted copy in the build's workspace (here filled directly, no upload). */
async function run(setup: (dir: string) => void, options: Record<string, string> = {}) {
  const work = mkdtempSync(join(tmpdir(), 'slipway-analyzed-test-'));
  const workspace = new BuildWorkspace(work, 'b1');
  mkdirSync(workspace.src, { recursive: true });
  setup(workspace.src);
  const builds: Array<{ opts: BuildOptions; files: string[]; dockerfile: string }> = [];
  const engine = {
    async buildImage(opts: BuildOptions) {
      builds.push({ opts, ...(await readContext(opts.context)) });
      return { imageId: 'sha256:0123456789abcdef0123' };
    },
  } as unknown as ContainerEngine;
  const store = { apps: { config: () => ({ SLIPWAY_NODE_VERSION: '22', SECRET: 'x' }) } } as unknown as Store;
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
    return { result, builds, events, leftover, userFiles: readdirSync(workspace.src).sort() };
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
  assert.deepEqual(result.settings, { port: 4000 });
  assert.ok(
    builds[0]!.files.includes('index.js') && !builds[0]!.files.some((f) => f.includes('apps/')),
    builds[0]!.files.join(' '),
  );
  assert.match(builds[0]!.dockerfile, /FROM node:22-bookworm-slim/, 'SLIPWAY_NODE_VERSION from the app config');
});
