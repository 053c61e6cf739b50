import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyzeSource } from '../../src/analyze/index.js';
import { runCli } from '../../src/cli/main.js';
import { UPLOAD_CA_ENTRY } from '../../src/image-build/upload-ca.js';
import { makeTestCert } from '../../src/domains/testing/make-cert.js';
import { ROOT } from '../e2e/harness.js';
import { benchHooks, assertRefused, tarOf, type BuildBench, type Sandbox } from './helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'analyze');
const DEBIAN = process.env['SLIPWAY_TEST_DEBIAN_IMAGE'] ?? 'slipway/debian:bookworm';

/**
 * Symbolic links in uploaded (and local) sources, against the real analysis, build and init code
 * on the real filesystem (and the real Docker Engine where a build is reached). Rule: Slipway
 * follows a link only while it stays inside the directory; one that leaves is refused naming the
 * path, nothing outside is read (its content never appears in an error), written or deleted, and a
 * link at a name Slipway writes is replaced, never written through.
 */
describe('symbolic links never take Slipway outside the uploaded directory', () => {
  let o: Sandbox;
  let bench: BuildBench;
  let n = 0;
  /** A fresh source directory, optionally from a fixture; `links` are created as symbolic links. */
  const source = (fixture: string | undefined, files: Record<string, string>, links: Record<string, string>) => {
    const dir = o.dir(`src-${++n}`);
    if (fixture) cpSync(join(FIXTURES, fixture), dir, { recursive: true, filter: (s) => !s.includes('__snapshots__') });
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    for (const [rel, target] of Object.entries(links)) {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      symlinkSync(target, join(dir, rel));
    }
    return dir;
  };
  /** A relative link target from `rel` inside `dir` to a path outside it. */
  const up = (dir: string, rel: string, to: string) => relative(join(dir, rel, '..'), to);

  benchHooks((s, b) => ((o = s), (bench = b)));

  test(
    'analysis reads (requirements.txt, package.json, Procfile, ' +
      'config/, -r includes) refuse links out and never quote the target',
    async () => {
      const cases: Array<
        [string, string | undefined, Record<string, string>, (dir: string) => Record<string, string>, RegExp]
      > = [
        [
          'requirements.txt → /etc/shadow-like file',
          undefined,
          { 'app.py': 'print(1)\n' },
          () => ({ 'requirements.txt': o.secretFile }),
          /"requirements\.txt" is a symbolic link that points outside/,
        ],
        [
          'requirements.txt → ../../outside (relative)',
          undefined,
          { 'app.py': 'print(1)\n' },
          (d) => ({ 'requirements.txt': up(d, 'requirements.txt', o.secretFile) }),
          /"requirements\.txt" is a symbolic link that points outside/,
        ],
        [
          '-r include of an outside file',
          undefined,
          { 'requirements.txt': `-r ${relative(o.work, o.secretFile)}\n-r ../../../../../../..${o.secretFile}\n` },
          () => ({}),
          /outside the source root/,
        ],
        [
          'package.json → outside',
          undefined,
          { 'server.js': '' },
          () => ({ 'package.json': o.secretFile }),
          /"package\.json" is a symbolic link/,
        ],
        [
          'Procfile → outside',
          'node-plain-main',
          {},
          () => ({ Procfile: o.secretFile }),
          /"Procfile" is a symbolic link/,
        ],
        [
          'config/ → an outside directory',
          'node-plain-main',
          {},
          () => ({ config: o.outside }),
          /"config" is a symbolic link/,
        ],
        [
          'a parent directory link: lib → / then lib/etc/…',
          'node-plain-main',
          { 'package.json': '{"main":"lib/outside/secret.txt"}' },
          () => ({ lib: '/' }),
          /"lib" \(on the way to "lib\/outside\/secret\.txt"\) is a symbolic link/,
        ],
      ];
      for (const [name, fixture, files, links, message] of cases) {
        const dir = source(fixture, files, {});
        for (const [rel, target] of Object.entries(links(dir))) symlinkSync(target, join(dir, rel));
        await assert.rejects(
          analyzeSource(dir),
          (err: Error & { code?: string; hint?: string }) => {
            assertRefused(o, err, 'INVALID_INPUT', message);
            return true;
          },
          name,
        );
      }
      // A link that stays inside is followed (monorepos share manifests that way).
      const inside = source(
        undefined,
        { 'pkg/package.json': '{"name":"x","main":"server.js"}', 'server.js': '' },
        { 'package.json': 'pkg/package.json' },
      );
      assert.equal((await analyzeSource(inside)).language, 'node');
      o.assertUntouched();
    },
  );

  test('a FIFO named like a manifest is never opened (no hang): it reads as absent', async () => {
    const dir = source('node-plain-main', {}, {});
    execFileSync('mkfifo', [join(dir, 'Procfile')]);
    const analysis = await analyzeSource(dir);
    assert.equal(analysis.processes[0]?.source, 'main', 'the FIFO Procfile was ignored');
  });

  test(
    'server reads of the upload (Procfile, slipway.yml, Dockerfile, ' +
      'build.yml, step Dockerfiles, --path, the CA entry) refuse links out',
    async () => {
      const dockerfile = `FROM ${DEBIAN}\n`;
      const cases: Array<[string, Record<string, string>, Record<string, string>, Record<string, string>, RegExp]> = [
        [
          'Procfile → outside (Dockerfile build)',
          { Dockerfile: dockerfile },
          { Procfile: o.secretFile },
          {},
          /"Procfile" is a symbolic link/,
        ],
        [
          'slipway.yml → outside',
          { Dockerfile: dockerfile },
          { 'slipway.yml': o.secretFile },
          {},
          /"slipway\.yml" is a symbolic link/,
        ],
        ['Dockerfile → outside', {}, { Dockerfile: o.secretFile }, {}, /"Dockerfile" is a symbolic link/],
        [
          '--dockerfile naming a link out',
          { Dockerfile: dockerfile },
          { 'Dockerfile.prod': o.secretFile },
          { dockerfile: 'Dockerfile.prod' },
          /"Dockerfile\.prod" is a symbolic link/,
        ],
        [
          'build.yml → outside',
          { Dockerfile: dockerfile },
          { 'build.yml': o.secretFile },
          {},
          /"build\.yml" is a symbolic link/,
        ],
        [
          'a step Dockerfile → outside',
          { 'build.yml': 'steps:\n  a: { dockerfile: Dockerfile.a }\n' },
          { 'Dockerfile.a': o.secretFile },
          {},
          /"Dockerfile\.a" is a symbolic link/,
        ],
        [
          '--path through a link out',
          { 'server.js': '' },
          { apps: o.outside },
          { path: 'apps/victim-dir' },
          /"apps" \(on the way to "apps\/victim-dir"\) is a symbolic link/,
        ],
        [
          'the reserved directory as a link',
          { Dockerfile: dockerfile },
          { '.slipway-build': o.outside },
          {},
          /\.slipway-build\/ is not a directory/,
        ],
        [
          'the CA entry as a link',
          { Dockerfile: dockerfile },
          { [UPLOAD_CA_ENTRY]: o.secretFile },
          {},
          /ca\.crt is not a regular file/,
        ],
      ];
      for (const [_name, files, links, opts, message] of cases) {
        const dir = source(undefined, files, links);
        const { dockerfile: df, path } = opts;
        const { error } = await bench.build(await tarOf(dir), {
          ...(df ? { dockerfile: df } : {}),
          ...(path ? { options: { path } } : {}),
        });
        assertRefused(o, error, 'INVALID_INPUT', message);
        o.assertUntouched();
      }
      assert.deepEqual(bench.leftovers(o.work), [], 'every workspace removed');
    },
  );

  test(
    'generated files: a link at slipway-ca.crt is ' +
      'replaced, not written through; a .dockerignore link out is refused',
    async () => {
      const ca = makeTestCert(o.work, { cn: 'Security Test CA' }).cert;
      // A static site on Debian's busybox: the cheapest generated build; `COPY . .` puts the context in /app.
      const options = { runtime: 'debian', baseImage: DEBIAN };
      const replaced = source('static-site', {}, { 'slipway-ca.crt': o.victimFile });
      const built = await bench.build(await tarOf(replaced, [{ path: UPLOAD_CA_ENTRY, data: Buffer.from(ca) }]), {
        options,
      });
      assert.equal(built.error, undefined, String(built.error?.message));
      const image = bench.tags.at(-1)!;
      assert.equal(
        execFileSync('docker', ['run', '--rm', '--entrypoint', 'cat', image, '/app/slipway-ca.crt'], {
          encoding: 'utf8',
        }),
        ca,
        'the certificate replaced the link in the build context',
      );
      assert.equal(readFileSync(o.victimFile, 'utf8'), 'victim\n');
      const refused = source('static-site', {}, { '.dockerignore': o.victimFile });
      const { error } = await bench.build(await tarOf(refused), { options });
      assertRefused(o, error, 'INVALID_INPUT', /"\.dockerignore" is a symbolic link/);
      o.assertUntouched();
    },
  );

  test(
    'artifacts: a destination below a link out (bin → an outside directory) is refused; ' + 'nothing there is deleted',
    async () => {
      const files = {
        'build.yml':
          'steps:\n  compile: { dockerfile: Dockerfile.compile, artifacts: ["/out/server:bin/server"] ' +
          '}\n  api: { dockerfile: Dockerfile.api, depends_on: [compile] }\nfinal: api\n',
        'Dockerfile.compile': `FROM ${DEBIAN}\nRUN mkdir /out && echo compiled > /out/server\n`,
        'Dockerfile.api': `FROM ${DEBIAN}\nCOPY bin/server /server\n`,
      };
      for (const target of [o.victimDir, undefined]) {
        const dir = source(undefined, files, {});
        symlinkSync(target ?? up(dir, 'bin', o.victimDir), join(dir, 'bin'));
        const { error } = await bench.build(await tarOf(dir));
        assertRefused(
          o,
          error,
          'INVALID_INPUT',
          /"bin" \(on the way to "bin\/server"\) is a symbolic link that points outside the build context of step "api"/,
        );
        assert.equal(readFileSync(join(o.victimDir, 'server'), 'utf8'), 'keep me\n');
        o.assertUntouched();
      }
      // The destination itself a link out: the link is replaced by the artifact, what it points to is not deleted.
      const replaced = source(
        undefined,
        {
          ...files,
          'build.yml': files['build.yml'].replace('bin/server', 'linked'),
          'Dockerfile.api': `FROM ${DEBIAN}\nCOPY linked /server\n`,
        },
        { linked: o.victimDir },
      );
      const { error } = await bench.build(await tarOf(replaced));
      assert.equal(error, undefined, String(error?.message));
      assert.equal(
        execFileSync('docker', ['run', '--rm', '--entrypoint', 'cat', bench.tags.at(-1)!, '/server'], {
          encoding: 'utf8',
        }),
        'compiled\n',
      );
      o.assertUntouched();
    },
  );

  test(
    'the artifact secret scan never follows a link out of ' +
      'the artifact (an outside file holding the secret value does not count)',
    async () => {
      const dir = source(
        undefined,
        {
          'build.yml':
            'steps:\n  compile: { dockerfile: Dockerfile.compile, secrets: [TOKEN], artifacts: ' +
            '["/out:out"] }\n  api: { dockerfile: Dockerfile.api, depends_on: [compile] }\nfinal: api\n',
          'Dockerfile.compile':
            `FROM ${DEBIAN}\nARG TOKEN\n` +
            `RUN mkdir /out && echo ok > /out/file && ln -s ${o.secretFile} /out/leak\n`,
          'Dockerfile.api': `FROM ${DEBIAN}\nCOPY out/ /out/\n`,
        },
        {},
      );
      const { error } = await bench.build(await tarOf(dir), { build: { secrets: { TOKEN: o.marker } } });
      assert.equal(error, undefined, String(error?.message));
      o.assertUntouched();
    },
  );

  test(
    'slipway init: a link at a generated name is ' + 'a conflict (never read), and --force replaces the link itself',
    async () => {
      const dir = source('node-plain-main', {}, { '.dockerignore': o.victimFile, Dockerfile: o.secretFile });
      const cli = async (...argv: string[]) => {
        let stdout = '';
        const code = await runCli(argv, { out: (t) => (stdout += `${t}\n`), err: () => undefined });
        return { code, stdout };
      };
      const refused = await cli('init', dir, '--json');
      assert.equal(refused.code, 1);
      const err = (JSON.parse(refused.stdout) as { error: { message: string; hint: string } }).error;
      assert.match(err.message, /already has .*Dockerfile.*\.dockerignore|already has .*\.dockerignore.*Dockerfile/);
      o.assertNoLeak(refused.stdout);
      assert.equal((await cli('init', dir, '--force', '--json')).code, 0);
      assert.equal(lstatSync(join(dir, '.dockerignore')).isFile(), true, 'the link was replaced by a file');
      assert.equal(lstatSync(join(dir, 'Dockerfile')).isFile(), true);
      assert.ok(!readdirSync(dir).some((f) => f.includes('.slipway-')), 'no temporary files left');
      const through = source('node-plain-main', {}, { apps: o.outside });
      const viaPath = await cli('init', through, '--path', 'apps/victim-dir', '--json');
      assert.equal(viaPath.code, 1);
      assert.match(
        (JSON.parse(viaPath.stdout) as { error: { message: string } }).error.message,
        /"apps" \(on the way to "apps\/victim-dir"\) is a symbolic link/,
      );
      o.assertUntouched();
    },
  );
});
