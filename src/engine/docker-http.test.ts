import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerHttpClient, dockerApiError, parseDockerHost, toQueryString } from './docker-http.js';

describe('parseDockerHost', () => {
  it('reads unix and tcp endpoints, defaulting to the standard socket', () => {
    assert.deepEqual(parseDockerHost(undefined), { socketPath: '/var/run/docker.sock' });
    assert.deepEqual(parseDockerHost('unix:///run/user/1000/docker.sock'), {
      socketPath: '/run/user/1000/docker.sock',
    });
    assert.deepEqual(parseDockerHost('tcp://127.0.0.1:2375'), { host: '127.0.0.1', port: 2375 });
    assert.throws(() => parseDockerHost('ssh://me@host'), { code: 'INVALID_INPUT' });
  });
});

describe('dockerApiError', () => {
  it('maps 404s on images and containers, and everything else to INTERNAL with the status', () => {
    const image = dockerApiError(404, '{"message":"No such image: nope/nope:1"}', {
      method: 'POST',
      path: '/containers/create',
    });
    assert.equal(image.code, 'IMAGE_NOT_FOUND');
    assert.ok(image.hint);
    const container = dockerApiError(404, '{"message":"No such container: abc"}', {
      method: 'POST',
      path: '/containers/abc/kill',
    });
    assert.equal(container.code, 'NOT_FOUND');
    const other = dockerApiError(500, '{"message":"driver failed"}', { method: 'POST', path: '/containers/abc/start' });
    assert.equal(other.code, 'INTERNAL');
    assert.equal(other.message, 'Docker: driver failed');
    assert.equal(other.details?.status, 500);
  });

  it('toQueryString encodes values, keeping order', () => {
    assert.equal(
      toQueryString({ t: 'a/b:1', filters: '{"label":["x=y"]}' }),
      '?t=a%2Fb%3A1&filters=%7B%22label%22%3A%5B%22x%3Dy%22%5D%7D',
    );
    assert.equal(toQueryString({}), '');
  });
});

describe('DockerHttpClient over a unix socket', () => {
  let dir: string;
  let socketPath: string;
  let server: http.Server;
  const seen: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-docker-http-'));
    socketPath = join(dir, 'docker.sock');
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/v1.41/_ping') return res.end('OK');
      if (req.url === '/v1.41/slow') return void setTimeout(() => res.end('late'), 2_000);
      if (req.url === '/v1.41/echo') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ got: JSON.parse(body), type: req.headers['content-type'] }));
        });
        return;
      }
      if (req.url === '/v1.41/drip') {
        res.write('a');
        const timer = setInterval(() => res.write('b'), 20);
        res.on('close', () => clearInterval(timer));
        return;
      }
      res.statusCode = 404;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"message":"No such container: x"}');
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('speaks JSON and text, with the API version prefix and query', async () => {
    const client = new DockerHttpClient({ endpoint: { socketPath } });
    assert.deepEqual(await client.json({ method: 'GET', path: '/_ping' }), { status: 200, body: 'OK' });
    const echoed = await client.json({ method: 'POST', path: '/echo', body: { A: 1 } });
    assert.deepEqual(echoed.body, { got: { A: 1 }, type: 'application/json' });
    await client.json({ method: 'GET', path: '/x', query: { all: 'true' } }, { accept: [404] });
    assert.ok(seen.includes('GET /v1.41/x?all=true'));
  });

  it('throws mapped errors for unaccepted statuses', async () => {
    const client = new DockerHttpClient({ endpoint: { socketPath } });
    await assert.rejects(client.json({ method: 'GET', path: '/x' }), { code: 'NOT_FOUND' });
    await assert.rejects(client.stream({ method: 'GET', path: '/x' }), { code: 'NOT_FOUND' });
  });

  it('times out with TIMEOUT and aborts with the caller reason', async () => {
    const client = new DockerHttpClient({ endpoint: { socketPath }, timeoutMs: 100 });
    await assert.rejects(client.json({ method: 'GET', path: '/slow' }), { code: 'TIMEOUT' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      client.json({ method: 'GET', path: '/slow' }, { signal: controller.signal, timeoutMs: 5_000 }),
      { code: 'ABORTED' },
    );
    await assert.rejects(client.json({ method: 'GET', path: '/_ping' }, { signal: AbortSignal.abort() }), {
      code: 'ABORTED',
    });
    await assert.rejects(
      client.json({ method: 'GET', path: '/slow' }, { signal: AbortSignal.timeout(50), timeoutMs: 5_000 }),
      { code: 'TIMEOUT' },
    );
  });

  it('streams until the caller aborts or stops reading; the header timeout does not cut a long stream', async () => {
    const client = new DockerHttpClient({ endpoint: { socketPath }, timeoutMs: 100 });
    const controller = new AbortController();
    const res = await client.stream({ method: 'GET', path: '/drip' }, { signal: controller.signal });
    let received = '';
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(
      async () => {
        for await (const chunk of res.body) received += chunk.toString();
      },
      { code: 'ABORTED' },
    );
    assert.ok(received.length > 5, `received ${received.length} bytes`);

    const early = await client.stream({ method: 'GET', path: '/drip' });
    for await (const chunk of early.body) {
      assert.ok(chunk.length > 0);
      break;
    }
  });

  it('stream totalTimeoutMs ends a stream with TIMEOUT', async () => {
    const client = new DockerHttpClient({ endpoint: { socketPath } });
    const res = await client.stream({ method: 'GET', path: '/drip' }, { totalTimeoutMs: 150 });
    await assert.rejects(
      async () => {
        for await (const _chunk of res.body) void _chunk;
      },
      { code: 'TIMEOUT' },
    );
  });

  it('reports DOCKER_UNAVAILABLE with a hint when nothing listens', async () => {
    const client = new DockerHttpClient({ endpoint: { socketPath: join(dir, 'missing.sock') } });
    await assert.rejects(client.json({ method: 'GET', path: '/_ping' }), (err: { code?: string; hint?: string }) => {
      assert.equal(err.code, 'DOCKER_UNAVAILABLE');
      assert.match(err.hint ?? '', /dockerd &/);
      return true;
    });
  });
});
