/**
 * DockerEngine against the real Docker Engine on this host (API 1.41, classic builder, no registry).
 * Everything created carries the label `slipway.test=<run id>` or a tag with the run id, and is removed in `after`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SlipwayError } from '../../src/core/errors.js';
import { DockerEngine } from '../../src/engine/docker-engine.js';
import type { ContainerSpec, LogLine } from '../../src/engine/port.js';
import { logTimeToUnixNanos, unixNanosToSince } from '../../src/engine/docker-log-stream.js';

const BASE_IMAGE = 'slipway/debian:bookworm';
const RUN_ID = `slipway-test-engine-${randomBytes(4).toString('hex')}`;
const TEST_LABEL = 'slipway.test';

const engine = new DockerEngine();
const tempDirs: string[] = [];
const tags: string[] = [];
let containerCount = 0;

/** A tar stream of a directory holding the given files, made by the `tar` CLI. */
function tarContext(files: Record<string, string>): Readable {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-engine-ctx-'));
  tempDirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const tar = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return tar.stdout;
}

function spec(cmd: string[], extra: Partial<ContainerSpec> = {}): ContainerSpec {
  containerCount += 1;
  return {
    name: `${RUN_ID}-${containerCount}`,
    image: BASE_IMAGE,
    cmd,
    env: { GREETING: 'hello' },
    labels: { [TEST_LABEL]: RUN_ID, 'slipway.app': 'engine-test', 'slipway.process': 'web' },
    ...extra,
  };
}

async function collect(lines: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const all: LogLine[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

function texts(lines: LogLine[], stream: LogLine['stream']): string[] {
  return lines.filter((line) => line.stream === stream).map((line) => line.text);
}

describe('DockerEngine against the real Docker', { timeout: 180_000 }, () => {
  before(async () => {
    await engine.ping();
    assert.ok(await engine.inspectImage(BASE_IMAGE), `${BASE_IMAGE} must exist locally`);
  });

  after(async () => {
    for (const info of await engine.listContainers({ [TEST_LABEL]: RUN_ID })) {
      await engine.removeContainer(info.id, { force: true });
    }
    for (const tag of tags) await engine.removeImage(tag, { force: true });
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('pings', async () => {
    await engine.ping(AbortSignal.timeout(5_000));
  });

  it('reports DOCKER_UNAVAILABLE for a socket nobody serves', async () => {
    const nowhere = new DockerEngine({ socketPath: join(tmpdir(), `${RUN_ID}-missing.sock`) });
    await assert.rejects(nowhere.ping(), { code: 'DOCKER_UNAVAILABLE' });
  });

  it('returns null when inspecting a missing image or container', async () => {
    assert.equal(await engine.inspectImage(`${RUN_ID}-missing:1`), null);
    assert.equal(await engine.inspectContainer(`${RUN_ID}-missing`), null);
  });

  it('builds an image from a tar context with build args and labels', async () => {
    const tag = `${RUN_ID}:build-1`;
    tags.push(tag);
    const output: string[] = [];
    const { imageId } = await engine.buildImage({
      context: tarContext({
        Dockerfile: [
          `FROM ${BASE_IMAGE}`,
          'ARG FLAVOUR',
          'COPY hello.txt /hello.txt',
          'RUN echo "flavour=$FLAVOUR" && cat /hello.txt',
          'EXPOSE 8080',
          'CMD ["cat", "/hello.txt"]',
        ].join('\n'),
        'hello.txt': 'hello from the context\n',
      }),
      tag,
      buildArgs: { FLAVOUR: 'vanilla' },
      labels: { [TEST_LABEL]: RUN_ID },
      onOutput: (line) => output.push(line),
      signal: AbortSignal.timeout(120_000),
    });
    assert.match(imageId, /^sha256:[0-9a-f]{64}$/);
    assert.ok(output.includes('flavour=vanilla'), output.join('\n'));
    assert.ok(output.includes('hello from the context'), output.join('\n'));

    const image = await engine.inspectImage(tag);
    assert.ok(image);
    assert.equal(image.id, imageId);
    assert.ok(image.tags.includes(tag));
    assert.deepEqual(image.cmd, ['cat', '/hello.txt']);
    assert.deepEqual(image.exposedPorts, [8080]);
    assert.equal(image.labels[TEST_LABEL], RUN_ID);
    assert.ok(image.sizeBytes > 0);
  });

  it('fails a build whose RUN fails with BUILD_FAILED and the step output', async () => {
    const tag = `${RUN_ID}:broken`;
    tags.push(tag);
    const err = await engine
      .buildImage({
        context: tarContext({
          Dockerfile: `FROM ${BASE_IMAGE}\nRUN echo about-to-fail && echo on-stderr >&2 && exit 3\n`,
        }),
        tag,
      })
      .then(
        () => assert.fail('build should fail'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof SlipwayError);
    assert.equal(err.code, 'BUILD_FAILED');
    assert.match(err.message, /non-zero code: 3/);
    const lastLines = err.details?.lastLines as string[];
    assert.ok(lastLines.includes('about-to-fail'), lastLines.join('\n'));
    assert.ok(lastLines.includes('on-stderr'), lastLines.join('\n'));
  });

  it('fails a build with a Dockerfile syntax error or a missing Dockerfile', async () => {
    await assert.rejects(
      engine.buildImage({
        context: tarContext({ Dockerfile: `FROM ${BASE_IMAGE}\nFOOBAR x\n` }),
        tag: `${RUN_ID}:syntax`,
      }),
      { code: 'BUILD_FAILED' },
    );
    await assert.rejects(
      engine.buildImage({ context: tarContext({ 'x.txt': 'x' }), tag: `${RUN_ID}:none`, dockerfile: 'Nope' }),
      { code: 'NO_DOCKERFILE' },
    );
  });

  it('runs a published container, lists it by label, reads its logs, stops it with grace and removes it', async () => {
    const loop =
      'trap "echo got-term; exit 0" TERM; i=0; while true; do i=$((i+1)); ' +
      'echo "out-$i $GREETING"; echo "err-$i" >&2; sleep 0.2; done';
    const info = await engine.runContainer(spec(['sh', '-c', loop], { containerPort: 8080, stopTimeoutSec: 10 }));
    assert.equal(info.state, 'running');
    assert.equal(info.image, BASE_IMAGE);
    assert.equal(info.labels[TEST_LABEL], RUN_ID);
    assert.equal(typeof info.hostPort, 'number');
    assert.ok(info.hostPort! > 0);
    assert.match(
      info.ip ?? '',
      /^\d{1,3}(\.\d{1,3}){3}$/,
      'a running container has its own bridge address (what HAProxy routes to)',
    );
    assert.ok(info.startedAt);

    const listed = await engine.listContainers({ [TEST_LABEL]: RUN_ID, 'slipway.process': undefined });
    assert.ok(listed.some((c) => c.id === info.id && c.hostPort === info.hostPort));
    assert.equal((await engine.listContainers({ [TEST_LABEL]: RUN_ID, 'slipway.process': 'worker' })).length, 0);

    await new Promise((resolve) => setTimeout(resolve, 700));
    const recent = await collect(engine.logs(info.id, { tail: 4 }));
    assert.equal(recent.length, 4);
    assert.ok(recent.every((line) => /^\d{4}-\d{2}-\d{2}T.*Z$/.test(line.time)));
    assert.ok(texts(recent, 'stdout').every((text) => /^out-\d+ hello$/.test(text)));
    assert.ok(texts(recent, 'stderr').every((text) => /^err-\d+$/.test(text)));

    // Follow until aborted: the iterable just ends.
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const followed = await collect(engine.logs(info.id, { follow: true, tail: 0, signal: controller.signal }));
    assert.ok(followed.length >= 2, `followed ${followed.length} lines`);

    const stopStarted = Date.now();
    await engine.stopContainer(info.id, 10);
    assert.ok(Date.now() - stopStarted < 5_000, 'the TERM trap should end the container long before the grace period');
    const stopped = await engine.inspectContainer(info.id);
    assert.equal(stopped?.state, 'exited');
    assert.equal(stopped?.exitCode, 0);
    assert.equal(stopped?.hostPort, undefined);
    assert.equal(stopped?.ip, undefined, 'a stopped container has no address to route to');
    assert.ok(texts(await collect(engine.logs(info.id, { tail: 5 })), 'stdout').includes('got-term'));

    await engine.stopContainer(info.id, 1); // already stopped: no error
    await engine.removeContainer(info.id);
    await engine.removeContainer(info.id); // already gone: no error
    await engine.stopContainer(info.id, 1); // gone: no error
    assert.equal(await engine.inspectContainer(info.id), null);
  });

  it('follows logs of a container until it exits, keeping stdout and stderr apart', async () => {
    const script = 'for i in 1 2 3; do echo "out-$i"; echo "err-$i" >&2; sleep 0.3; done; printf no-newline';
    const info = await engine.runContainer(spec(['sh', '-c', script]));
    const lines = await collect(engine.logs(info.id, { follow: true, signal: AbortSignal.timeout(20_000) }));
    assert.deepEqual(texts(lines, 'stdout'), ['out-1', 'out-2', 'out-3', 'no-newline']);
    assert.deepEqual(texts(lines, 'stderr'), ['err-1', 'err-2', 'err-3']);
    assert.equal(await engine.waitContainer(info.id), 0);
  });

  it(
    'reads between an exact since and until (seconds.nanoseconds, ' +
      "inclusive) and keeps a line longer than Docker's 16 KiB messages whole",
    async () => {
      const script = 'echo one; echo two; echo three; head -c 40000 /dev/zero | tr "\\0" y; echo';
      const info = await engine.runContainer(spec(['sh', '-c', script]));
      assert.equal(await engine.waitContainer(info.id, AbortSignal.timeout(20_000)), 0);
      const all = await collect(engine.logs(info.id, {}));
      assert.deepEqual(
        all.slice(0, 3).map((l) => l.text),
        ['one', 'two', 'three'],
      );
      assert.equal(all.length, 4, 'the long line is one line, without the timestamps of its partial messages');
      assert.equal(all[3]!.text, 'y'.repeat(40000));
      const since = unixNanosToSince(logTimeToUnixNanos(all[1]!.time)!);
      assert.deepEqual(
        (await collect(engine.logs(info.id, { since }))).map((l) => l.text.slice(0, 5)),
        ['two', 'three', 'yyyyy'],
      );
      const until = unixNanosToSince(logTimeToUnixNanos(all[2]!.time)!);
      assert.deepEqual(
        (await collect(engine.logs(info.id, { since, until }))).map((l) => l.text),
        ['two', 'three'],
        'until is inclusive too',
      );
    },
  );

  it('reads the raw log stream of a TTY container', async () => {
    const info = await engine.runContainer(spec(['sh', '-c', 'echo tty-1; echo tty-2 >&2'], { tty: true }));
    assert.equal(await engine.waitContainer(info.id, AbortSignal.timeout(20_000)), 0);
    const lines = await collect(engine.logs(info.id, {}));
    assert.deepEqual(texts(lines, 'stdout'), ['tty-1', 'tty-2']);
  });

  it('kills after the grace period when TERM is ignored, and waits for exit codes', async () => {
    const stubborn = await engine.runContainer(spec(['sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']));
    const started = Date.now();
    await engine.stopContainer(stubborn.id, 1);
    assert.ok(Date.now() - started >= 900, 'stop should wait out the grace period');
    assert.equal((await engine.inspectContainer(stubborn.id))?.exitCode, 137);

    const failing = await engine.runContainer(spec(['sh', '-c', 'sleep 0.2; exit 7']));
    assert.equal(await engine.waitContainer(failing.id, AbortSignal.timeout(20_000)), 7);
    assert.equal(await engine.waitContainer(failing.id), 7); // already exited: answers at once

    const sleeper = await engine.runContainer(spec(['sleep', '300']));
    await engine.killContainer(sleeper.id);
    assert.equal(await engine.waitContainer(sleeper.id, AbortSignal.timeout(20_000)), 137);
    await engine.killContainer(sleeper.id); // not running: no error
    await engine.removeContainer(sleeper.id);
    await engine.killContainer(sleeper.id); // gone: no error
  });

  it('fails to run a missing image with IMAGE_NOT_FOUND', async () => {
    await assert.rejects(engine.runContainer(spec(['true'], { image: `${RUN_ID}-nope:1` })), {
      code: 'IMAGE_NOT_FOUND',
    });
  });

  it('starts a container whose command does not exist; docker-init (Init: true) exits 127 and says why', async () => {
    // With HostConfig.Init the process Docker starts is tini, so a bad command is an exit code, not a start error.
    const info = await engine.runContainer(spec(['/no/such/binary']));
    assert.equal(await engine.waitContainer(info.id, AbortSignal.timeout(20_000)), 127);
    const lines = await collect(engine.logs(info.id, {}));
    assert.ok(
      lines.some((line) => line.stream === 'stderr' && line.text.includes('/no/such/binary')),
      JSON.stringify(lines),
    );
  });

  it('refuses a second container with the same name', async () => {
    const first = spec(['sleep', '30']);
    await engine.runContainer(first);
    await assert.rejects(engine.runContainer({ ...first }), { code: 'CONTAINER_FAILED' });
  });

  it('waits on a missing container with NOT_FOUND and aborts a wait with the signal', async () => {
    await assert.rejects(engine.waitContainer(`${RUN_ID}-missing`), { code: 'NOT_FOUND' });
    const sleeper = await engine.runContainer(spec(['sleep', '300']));
    await assert.rejects(engine.waitContainer(sleeper.id, AbortSignal.timeout(300)), { code: 'TIMEOUT' });
  });
});
