import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { Harness, ROOT, get, uniqueApp } from './harness.js';

/** build.yml pipelines against the real Docker Engine and a real Slipway server. */

interface StepRecord {
  name: string;
  startedAt: string;
  finishedAt: string;
  kept: boolean;
  imageId?: string;
  cached: number;
  layers: number;
}
interface BuildRecord {
  id: string;
  status: string;
  imageId: string;
  imageRef: string;
  steps: StepRecord[];
  source: { commit?: string; contentHash?: string; dirty?: boolean; branch?: string };
}

const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim();
const lines = (text: string) => text.split('\n').filter(Boolean);
const fixture = (name: string, into: string) => {
  const dir = join(into, name);
  cpSync(join(ROOT, 'test', 'e2e', 'fixtures', name), dir, { recursive: true });
  return dir;
};
const ms = (iso: string) => Date.parse(iso);

/** Whether `needle` occurs anywhere in the output of `docker save IMAGE` (streamed, chunk-boundary safe). */
function dockerSaveContains(image: string, needle: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'inherit'] });
    const bytes = Buffer.from(needle);
    let tail = Buffer.alloc(0);
    let found = false;
    let total = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      total += chunk.length;
      const window = Buffer.concat([tail, chunk]);
      if (window.includes(bytes)) found = true;
      tail = window.subarray(Math.max(0, window.length - bytes.length + 1));
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 && total > 1_000_000
        ? resolve(found)
        : reject(new Error(`docker save exited ${code} after ${total} bytes`)),
    );
  });
}

/** Everything a build could leave behind: containers, intermediate images, temp dirs. */
function leftovers(h: Harness, buildId: string, app: string): string[] {
  const out: string[] = [];
  out.push(...lines(docker('ps', '-aq', '--filter', `label=slipway.build=${buildId}`)).map((c) => `container ${c}`));
  out.push(
    ...lines(
      docker(
        'images',
        '-aq',
        '--filter',
        `label=slipway.intermediate=true`,
        '--filter',
        `label=slipway.build=${buildId}`,
      ),
    ).map((i) => `intermediate image ${i}`),
  );
  out.push(
    ...lines(docker('images', '--format', '{{.Repository}}:{{.Tag}}', `slipway-tmp/${app}`))
      .filter((t) => t.includes(buildId))
      .map((t) => `tag ${t}`),
  );
  const tmp = join(h.home, 'tmp');
  if (existsSync(tmp))
    out.push(
      ...readdirSync(tmp)
        .filter((d) => d.includes(buildId))
        .map((d) => `temp dir ${d}`),
    );
  return out;
}

describe('build pipelines (build.yml), build secrets, build records and the grid', () => {
  let h: Harness;
  let work: string;
  const app = uniqueApp('pipe');
  const webApp = uniqueApp('pipeweb');
  const keptImages: string[] = [];

  before(async () => {
    h = await Harness.create();
    await h.startServer();
    await h.ok('apps:create', app);
    await h.ok('apps:create', webApp);
    work = mkdtempSync(join(tmpdir(), 'slipway-pipeline-'));
  });

  after(async () => {
    h.removeAppContainers(app, webApp);
    await h.destroy();
    rmSync(work, { recursive: true, force: true });
    for (const image of keptImages) spawn('docker', ['rmi', '-f', image], { stdio: 'ignore' });
    for (const name of [app, webApp]) {
      const ids = lines(docker('images', '-q', '--filter', `label=slipway.app=${name}`));
      if (ids.length) spawn('docker', ['rmi', '-f', ...new Set(ids)], { stdio: 'ignore' });
    }
  });

  const build = async (dir: string, ...extra: string[]): Promise<BuildRecord> => {
    const out = await h.ok('build', '-a', app, dir, '--json', ...extra);
    const record = (JSON.parse(out.stdout) as { result: BuildRecord }).result;
    keptImages.push(record.imageRef);
    return record;
  };

  test('three steps: two wait on one and build in parallel, with an artifact copied from the first', async () => {
    const dir = fixture('pipeline-graph', work);
    const nonce = randomBytes(6).toString('hex');
    const record = await build(dir, '--env', `NONCE=${nonce}`, '--tag', `slipway-test/${app}:graph`);
    keptImages.push(`slipway-test/${app}:graph`);
    assert.equal(record.status, 'succeeded');
    const step = Object.fromEntries(record.steps.map((s) => [s.name, s]));
    const { compile, api, web } = step as Record<string, StepRecord>;
    // Both dependents start only after compile ends, and they overlap each other.
    assert.ok(
      ms(api!.startedAt) >= ms(compile!.finishedAt) && ms(web!.startedAt) >= ms(compile!.finishedAt),
      JSON.stringify(record.steps),
    );
    assert.ok(
      ms(api!.startedAt) < ms(web!.finishedAt) && ms(web!.startedAt) < ms(api!.finishedAt),
      `api and web overlap: ${JSON.stringify(record.steps)}`,
    );
    assert.deepEqual([compile!.kept, api!.kept, web!.kept], [false, true, false]);
    // The artifact made in compile is in the final image; the source has no such file.
    assert.equal(docker('run', '--rm', record.imageRef), `compiled ${nonce}`);
    assert.equal(
      docker('image', 'inspect', '-f', '{{.Id}}', `slipway-test/${app}:graph`),
      record.imageId,
      '--tag tags the final image',
    );
    assert.match(record.source.contentHash ?? '', /^sha256:[0-9a-f]{64}$/, 'not a git checkout: a content hash');
    assert.deepEqual(leftovers(h, record.id, app), []);
  });

  test(
    'a build secret reaches the step that lists ' + 'it and no kept image: not in docker save, history or inspect',
    async () => {
      const dir = fixture('pipeline-secret', work);
      const secret = `tok-${randomBytes(12).toString('hex')}`;
      writeFileSync(join(dir, 'token.sha256'), createHash('sha256').update(secret).digest('hex') + '\n');
      writeFileSync(join(work, 'secret.txt'), secret + '\n');
      // Without the secret: refused before anything builds.
      const missing = await h.cli('build', '-a', app, dir, '--json');
      assert.notEqual(missing.code, 0);
      assert.match(missing.stdout, /steps\.fetch\.secrets\[0\]: secret SECRET_TOKEN was not given/);

      // A wrong secret (from the environment): the step fails; the layer its first RUN committed (whose
      // history holds the value) is removed, and the value is redacted from the error and the record.
      const wrong = `wrong-${randomBytes(12).toString('hex')}`;
      const imagesBefore = new Set(lines(docker('images', '-aq', '--no-trunc')));
      process.env['SECRET_TOKEN'] = wrong;
      const failed = await h.cli('build', '-a', app, dir, '--secret', 'SECRET_TOKEN');
      delete process.env['SECRET_TOKEN'];
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /error: step "fetch": building .* failed/);
      assert.ok(!(failed.stdout + failed.stderr).includes(wrong), 'the failure output is redacted');
      assert.match(failed.stderr, /fetching with token \[SECRET_TOKEN\]/);
      for (const id of lines(docker('images', '-aq', '--no-trunc')).filter((i) => !imagesBefore.has(i))) {
        assert.ok(
          !docker('history', '--no-trunc', id).includes(wrong),
          `image ${id} left by the failed build holds the secret`,
        );
      }
      const failedRecord = (JSON.parse((await h.ok('builds', '-a', app, '--json')).stdout) as BuildRecord[])[0]!;
      assert.equal(failedRecord.status, 'failed');
      assert.deepEqual(leftovers(h, failedRecord.id, app), []);

      const record = await build(dir, '--secret', `SECRET_TOKEN=@${join(work, 'secret.txt')}`);
      assert.equal(
        docker('run', '--rm', record.imageRef),
        'the private data',
        'the step read the file with the secret; the artifact made it',
      );
      assert.equal(
        await dockerSaveContains(record.imageRef, secret),
        false,
        'docker save of the final image has no trace of the secret',
      );
      assert.ok(
        await dockerSaveContains(record.imageRef, 'the private data'),
        'the scan does find what is in the image',
      );
      const history = docker('history', '--no-trunc', '--format', '{{.CreatedBy}} {{.Comment}}', record.imageRef);
      const inspect = docker('image', 'inspect', record.imageRef);
      for (const [what, text] of [
        ['history', history],
        ['inspect', inspect],
      ] as const) {
        assert.ok(!text.includes(secret), `${what} has no secret value`);
        assert.ok(!text.includes('SECRET_TOKEN'), `${what} has no secret name (no build arg)`);
      }
      // The secret step's image and layers are gone; the record and its log keep only the name.
      assert.deepEqual(leftovers(h, record.id, app), []);
      assert.equal(
        lines(docker('images', '-aq', '--filter', `label=slipway.build=${record.id}`)).length,
        1,
        'only the final image carries the build label',
      );
      const info = await h.ok('builds:info', '-a', app, record.id, '--json');
      assert.ok(!info.stdout.includes(secret), 'build record and log are redacted');
      assert.match(info.stdout, /fetching with token \[SECRET_TOKEN\]/);
    },
  );

  test('two builds of the same app started at the same time both succeed and leave nothing behind', async () => {
    const nonce = randomBytes(6).toString('hex');
    const danglingBefore = new Set(lines(docker('images', '-aq', '--no-trunc', '--filter', 'dangling=true')));
    const dirs = [fixture('pipeline-graph', join(work, 'a')), fixture('pipeline-graph', join(work, 'b'))];
    const records = await Promise.all(dirs.map((dir) => build(dir, '--env', `NONCE=${nonce}`)));
    assert.notEqual(records[0]!.id, records[1]!.id);
    for (const record of records) {
      assert.equal(record.status, 'succeeded');
      assert.equal(docker('run', '--rm', record.imageRef), `compiled ${nonce}`);
      assert.deepEqual(leftovers(h, record.id, app), []);
    }
    // No new dangling image made from this nonce (intermediate layers of either build).
    const fresh = lines(docker('images', '-aq', '--no-trunc', '--filter', 'dangling=true')).filter(
      (id) => !danglingBefore.has(id),
    );
    for (const id of fresh)
      assert.ok(!docker('history', '--no-trunc', id).includes(nonce), `dangling image ${id} left by the builds`);
  });

  test('an invalid build.yml is refused with a clear error and nothing is built', async () => {
    const dir = fixture('pipeline-graph', join(work, 'invalid'));
    const appImages = () => [...new Set(lines(docker('images', '-aq', '--filter', `label=slipway.app=${app}`)))].sort();
    const imagesBefore = appImages();
    const refused = async (yml: string, ...messages: RegExp[]) => {
      writeFileSync(join(dir, 'build.yml'), yml);
      const result = await h.cli('build', '-a', app, dir, '--json');
      assert.equal(result.code, 1);
      const error = (JSON.parse(result.stdout) as { error: { code: string; message: string; hint: string } }).error;
      assert.equal(error.code, 'INVALID_INPUT');
      for (const message of messages) assert.match(error.message, message);
      assert.match(error.hint, /nothing was built/);
    };
    await refused(
      'steps:\n  a: { dockerfile: Dockerfile.compile, depends_on: [b] }\n' +
        '  b: { dockerfile: Dockerfile.web, depends_on: [a] }\nfinal: a\n',
      /steps: dependency cycle a → b → a/,
    );
    await refused(
      'steps:\n  a: { dockerfile: Dockerfile.compile, depends_on: ' +
        '[nope] }\n  b: { dockerfile: Dockerfile.missing }\nfinal: a\n',
      /steps\.a\.depends_on\[0\]: unknown step "nope"/,
      /steps\.b\.dockerfile: Dockerfile\.missing is not in the source directory/,
    );
    await refused(
      'steps:\n  a: { dockerfile: Dockerfile.compile, artifacts: ["out:x"] }\n',
      /steps\.a\.artifacts\[0\]: source "out" must be an absolute path/,
    );
    await refused('steps:\n  a: { dockerfile: Dockerfile.compile, artifact: [] }\n', /steps\.a\.artifact: unknown key/);
    assert.deepEqual(appImages(), imagesBefore, 'no image built');
  });

  test(
    'the grid: from a running container, ' + 'inspect reaches the git commit; deploy --build deploys a recorded build',
    async () => {
      const dir = fixture('pipeline-web', work);
      const git = (...args: string[]) =>
        execFileSync('git', ['-C', dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
          encoding: 'utf8',
        }).trim();
      git('init', '-q', '-b', 'main');
      git('add', '.');
      git('commit', '-q', '-m', 'web app');
      const commit = git('rev-parse', 'HEAD');
      await h.ok('deploy', '-a', webApp, dir);
      assert.equal((await get(h.httpPort, h.host(webApp))).body, 'hello from a pipeline\n');
      const ps = JSON.parse((await h.ok('ps', '-a', webApp, '--json')).stdout) as {
        processes: { containerId: string; commit: string }[];
      };
      const container = ps.processes[0]!;
      assert.equal(container.commit, `${commit.slice(0, 12)}`);
      const grid = JSON.parse((await h.ok('inspect', '-a', webApp, container.containerId, '--json')).stdout) as {
        container: { id: string };
        release: { version: number };
        record: { id: string; digest: string; steps: unknown[] };
        image: { labels: Record<string, string> };
        commit: string;
        branch: string;
        dirty: boolean;
      };
      assert.equal(grid.release.version, 1);
      assert.equal(grid.commit, commit);
      assert.equal(grid.branch, 'main');
      assert.equal(grid.dirty, false);
      assert.equal(grid.image.labels['org.opencontainers.image.revision'], commit);
      assert.equal(grid.record.steps.length, 2);
      assert.match(grid.record.digest, /^sha256:/);
      const human = await h.ok('inspect', '-a', webApp, container.containerId);
      assert.match(human.stdout, new RegExp(`commit +${commit} \\(main\\)`));

      // A dirty change, built and then deployed by id.
      writeFileSync(
        join(dir, 'Dockerfile.message'),
        'FROM slipway/debian:bookworm\nRUN mkdir /out && echo "second" > /out/message.txt\n',
      );
      const built = JSON.parse((await h.ok('build', '-a', webApp, dir, '--json')).stdout) as { result: BuildRecord };
      assert.equal(built.result.source.dirty, true);
      assert.ok(
        built.result.steps.find((st) => st.name === 'web')!.cached >= 1,
        'per-build labels do not defeat the layer cache',
      );
      await h.ok('deploy', '-a', webApp, '--build', built.result.id);
      assert.equal((await get(h.httpPort, h.host(webApp))).body, 'second\n');
      const v2 = JSON.parse((await h.ok('inspect', '-a', webApp, 'v2', '--json')).stdout) as {
        commit: string;
        dirty: boolean;
        record: { id: string };
      };
      assert.deepEqual([v2.commit, v2.dirty, v2.record.id], [commit, true, built.result.id]);
      const releases = JSON.parse((await h.ok('releases', '-a', webApp, '--json')).stdout) as {
        version: number;
        commit: string;
      }[];
      assert.deepEqual(
        releases.map((r) => [r.version, r.commit]),
        [
          [2, `${commit.slice(0, 12)}+dirty`],
          [1, commit.slice(0, 12)],
        ],
      );
      const builds = JSON.parse((await h.ok('builds', '-a', webApp, '--json')).stdout) as {
        id: string;
        releases: number[];
      }[];
      assert.deepEqual(
        builds.map((b) => b.releases),
        [[2], [1]],
      );
    },
  );

  test(
    'a build interrupted by a server crash is ' + 'marked failed at start-up and everything it left is removed',
    async () => {
      const dir = join(work, 'interrupted');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'build.yml'),
        'steps:\n  first: { dockerfile: Dockerfile.first, artifacts: ["/out/x:x"] }\n' +
          '  slow: { dockerfile: Dockerfile.slow, depends_on: [first] }\nfinal: slow\n',
      );
      writeFileSync(
        join(dir, 'Dockerfile.first'),
        `FROM slipway/debian:bookworm\nRUN mkdir /out && echo ${randomBytes(6).toString('hex')} > /out/x\n`,
      );
      writeFileSync(join(dir, 'Dockerfile.slow'), 'FROM slipway/debian:bookworm\nCOPY x /x\nRUN sleep 300\n');
      const cli = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), 'build', '-a', app, dir],
        { env: h.env, cwd: ROOT, stdio: 'ignore' },
      );
      const buildsOf = async () => JSON.parse((await h.ok('builds', '-a', app, '--json')).stdout) as BuildRecord[];
      try {
        // Wait until the slow step runs: the first step's intermediate image exists and the slow step's
        // context was prepared (after the artifact was copied out, so no engine call is in flight).
        let id: string | undefined;
        const slowStarted = () =>
          !!id &&
          existsSync(join(h.home, 'tmp', `slipway-build-${id}`, 'steps', 'slow')) &&
          lines(docker('images', '-q', '--filter', `label=slipway.build=${id}`)).length > 0;
        const deadline = Date.now() + 120_000;
        while (Date.now() < deadline && !slowStarted()) {
          id = (await buildsOf()).find((b) => b.status === 'running')?.id;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.ok(slowStarted(), 'the build reached its second step');
        // A build container the crash could leave behind (they live seconds; made here so the test does not race one).
        const instance = readFileSync(join(h.home, 'instance-id'), 'utf8').trim();
        const stray = docker(
          'create',
          '--label',
          `slipway.build=${id}`,
          '--label',
          `slipway.artifact-copy=${id}`,
          '--label',
          `slipway.instance=${instance}`,
          'slipway/debian:bookworm',
          'true',
        );
        // App containers carry `slipway.build` too (inherited from their image; the grid test's web app runs): they
        // must survive.
        const appContainers = lines(
          docker('ps', '-q', '--filter', `label=slipway.instance=${instance}`, '--filter', 'label=slipway.app'),
        );
        await h.killServer();
        await h.startServer();
        const record = (await buildsOf()).find((b) => b.id === id) as BuildRecord & { error?: { message: string } };
        assert.equal(record.status, 'failed');
        assert.match(record.error?.message ?? '', /interrupted by a server restart/);
        assert.deepEqual(
          leftovers(h, id!, app),
          [],
          'no container, intermediate image, tag or temp dir left (stray ' +
            `${stray.slice(0, 12)}); server log:\n${h.serverLog.slice(-3000)}`,
        );
        assert.deepEqual(
          readdirSync(join(h.home, 'tmp')).filter((n) => n.startsWith('upload-') || n.startsWith('slipway-build-')),
          [],
        );
        assert.equal(
          lines(docker('ps', '-aq', '--filter', `id=${stray}`)).length,
          0,
          'the stray build container was removed',
        );
        assert.deepEqual(
          lines(docker('ps', '-q', '--filter', `label=slipway.instance=${instance}`, '--filter', 'label=slipway.app')),
          appContainers,
          'app containers are untouched',
        );
      } finally {
        cli.kill('SIGKILL');
      }
    },
  );
});
