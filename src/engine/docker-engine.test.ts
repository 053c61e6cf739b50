import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DockerEngine, isPortInUseMessage } from './docker-engine.js';

describe('isPortInUseMessage', () => {
  it('recognises Docker 20.10 bind failures', () => {
    assert.ok(
      isPortInUseMessage(
        'driver failed programming external connectivity on endpoint web (bc0b): ' +
          'Error starting userland proxy: listen tcp4 127.0.0.1:45678: bind: address already in use',
      ),
    );
    assert.ok(isPortInUseMessage('Bind for 127.0.0.1:8080 failed: port is already allocated'));
    assert.ok(!isPortInUseMessage('OCI runtime create failed: exec: "x": executable file not found in $PATH'));
  });
});

/** Scripted answers per "METHOD path" (query stripped), recording every call. */
describe('DockerEngine.runContainer against a scripted socket', () => {
  let dir: string;
  let server: http.Server;
  let engine: DockerEngine;
  const calls: string[] = [];
  let answers: Record<string, [number, unknown]> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-docker-engine-'));
    const socketPath = join(dir, 'docker.sock');
    server = http.createServer((req, res) => {
      req.resume();
      const key = `${req.method} ${(req.url ?? '').replace(/^\/v1\.41/, '').replace(/\?.*$/, '')}`;
      calls.push(`${req.method} ${req.url}`);
      const [status, body] = answers[key] ?? [500, { message: `unscripted ${key}` }];
      res.statusCode = status;
      res.setHeader('Content-Type', 'application/json');
      res.end(body === undefined ? '' : JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    engine = new DockerEngine({ socketPath });
  });

  beforeEach(() => {
    calls.length = 0;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const spec = { name: 'web-1', image: 'img:1', env: {}, labels: {}, containerPort: 5000 };

  it('removes the created container and throws PORT_IN_USE when the port cannot be bound', async () => {
    answers = {
      'POST /containers/create': [201, { Id: 'c1', Warnings: [] }],
      'POST /containers/c1/start': [500, { message: 'Bind for 127.0.0.1:5000 failed: port is already allocated' }],
      'DELETE /containers/c1': [204, undefined],
    };
    await assert.rejects(engine.runContainer(spec), { code: 'PORT_IN_USE' });
    assert.deepEqual(calls, [
      'POST /v1.41/containers/create?name=web-1',
      'POST /v1.41/containers/c1/start',
      'DELETE /v1.41/containers/c1?force=true&v=true',
    ]);
  });

  it('throws CONTAINER_FAILED for other start errors, still removing the container', async () => {
    answers = {
      'POST /containers/create': [201, { Id: 'c2', Warnings: [] }],
      'POST /containers/c2/start': [
        400,
        { message: 'OCI runtime create failed: exec: "x": executable file not found in $PATH' },
      ],
      'DELETE /containers/c2': [404, { message: 'No such container: c2' }],
    };
    await assert.rejects(engine.runContainer(spec), { code: 'CONTAINER_FAILED' });
    assert.equal(calls.at(-1), 'DELETE /v1.41/containers/c2?force=true&v=true');
  });

  it('maps a missing image at create to IMAGE_NOT_FOUND without further calls', async () => {
    answers = { 'POST /containers/create': [404, { message: 'No such image: img:1' }] };
    await assert.rejects(engine.runContainer(spec), { code: 'IMAGE_NOT_FOUND' });
    assert.equal(calls.length, 1);
  });
});
