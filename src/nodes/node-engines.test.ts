import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SlipwayError } from '../core/errors.js';
import { openNodeDocker } from './node-engines.js';

/** A stand-in Docker Engine on a unix socket: answers `/_ping`, counts the calls. */
async function fakeDocker(dir: string) {
  const socketPath = join(dir, 'docker.sock');
  let pings = 0;
  const server = http.createServer((req, res) => {
    if (req.url?.endsWith('/_ping')) pings++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { socketPath, pings: () => pings, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('a unix endpoint is used as it is, after it answered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'node-engines-'));
  const docker = await fakeDocker(dir);
  try {
    const node = await openNodeDocker(`unix://${docker.socketPath}`);
    assert.deepEqual(node.endpoint, { socketPath: docker.socketPath });
    assert.equal(node.processesHere, true);
    assert.equal(docker.pings(), 1);
    await node.close();
  } finally {
    await docker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ssh:// goes through a stdio bridge (a stand-in ssh), closed with the node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'node-engines-'));
  const docker = await fakeDocker(dir);
  // The stand-in ignores its argv (the real one would run `docker system dial-stdio` on the node).
  const ssh = join(dir, 'fake-ssh');
  writeFileSync(
    ssh,
    `#!${process.execPath}\nconst s = require('net').connect(${JSON.stringify(docker.socketPath)});\n` +
      'process.stdin.pipe(s); s.pipe(process.stdout);\n',
  );
  chmodSync(ssh, 0o755);
  try {
    const node = await openNodeDocker('ssh://root@w1', { sshBin: ssh });
    assert.equal(node.processesHere, false);
    assert.ok('socketPath' in node.endpoint && node.endpoint.socketPath !== docker.socketPath);
    const bridgeSocket = (node.endpoint as { socketPath: string }).socketPath;
    assert.equal(docker.pings(), 1);
    await node.close();
    assert.equal(existsSync(dirname(bridgeSocket)), false, 'the bridge is gone');
  } finally {
    await docker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an engine that does not answer, or a label that is no endpoint: clear errors', async () => {
  await assert.rejects(
    openNodeDocker('unix:///nonexistent/docker.sock', { timeoutMs: 2000 }),
    (err: unknown) =>
      err instanceof SlipwayError &&
      err.code === 'DOCKER_UNAVAILABLE' &&
      /unix:\/\/\/nonexistent\/docker\.sock/.test(err.message),
  );
  await assert.rejects(
    openNodeDocker('ssh://root@w1', { sshBin: 'false', timeoutMs: 2000 }),
    (err: unknown) =>
      err instanceof SlipwayError && err.code === 'DOCKER_UNAVAILABLE' && /ssh -o BatchMode/.test(err.hint ?? ''),
  );
  await assert.rejects(
    openNodeDocker('ftp://x; rm -rf /'),
    (err: unknown) => err instanceof SlipwayError && err.code === 'INVALID_INPUT',
  );
});
