import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { probeOnce, probeUntilHealthy } from './probe.js';

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

test('TCP probe: a listener that keeps the connection passes', async () => {
  const server = net.createServer(() => {});
  const port = await listen(server);
  const result = await probeOnce({ host: '127.0.0.1', port }, 2000);
  server.close();
  server.unref();
  assert.equal(result.ok, true, result.detail);
});

test('TCP probe: a listener that closes at once (like docker-proxy with no app behind it) fails', async () => {
  const server = net.createServer((socket) => socket.destroy());
  const port = await listen(server);
  const result = await probeOnce({ host: '127.0.0.1', port }, 2000);
  server.close();
  assert.equal(result.ok, false);
  assert.match(result.detail, /closed by the peer/);
});

test('TCP probe: nothing listening fails with ECONNREFUSED', async () => {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((r) => server.close(r));
  const result = await probeOnce({ host: '127.0.0.1', port }, 2000);
  assert.equal(result.ok, false);
  assert.match(result.detail, /ECONNREFUSED/);
});

test('HTTP probe: 2xx/3xx pass, 5xx fails, and it reports the status', async () => {
  let status = 503;
  const server = http.createServer((req, res) => {
    res.writeHead(req.url === '/health' ? status : 404);
    res.end();
  });
  const port = await listen(server);
  const bad = await probeOnce({ host: '127.0.0.1', port, path: '/health' }, 2000);
  status = 204;
  const good = await probeOnce({ host: '127.0.0.1', port, path: '/health' }, 2000);
  server.close();
  assert.deepEqual([bad.ok, bad.detail, good.ok, good.detail], [false, 'HTTP 503', true, 'HTTP 204']);
});

test('HTTP probe: a slow answer times out', async () => {
  const server = http.createServer((_req, res) => setTimeout(() => res.end(), 1000));
  const port = await listen(server);
  const result = await probeOnce({ host: '127.0.0.1', port, path: '/' }, 100);
  server.closeAllConnections();
  server.close();
  assert.equal(result.ok, false);
  assert.match(result.detail, /timeout after 100 ms/);
});

test('probeUntilHealthy stops at once, mid-attempt, when the container exits', async () => {
  // A listener that never answers: each attempt would wait its full timeout.
  const server = http.createServer(() => {});
  const port = await listen(server);
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const started = Date.now();
  setTimeout(() => exit(3), 150);
  const outcome = await probeUntilHealthy(
    { host: '127.0.0.1', port, path: '/health' },
    { attempts: 50, intervalMs: 10, timeoutMs: 5000, exited },
  );
  const ms = Date.now() - started;
  server.closeAllConnections();
  server.close();
  assert.deepEqual([outcome.healthy, outcome.exited, outcome.exitCode, outcome.results.length], [false, true, 3, 0]);
  assert.ok(ms < 4000, `did not wait for the 5 s attempt to time out (${ms} ms)`);
});

test('probeUntilHealthy: an exit promise that rejects (the wait was cut) does not stop a healthy probe', async () => {
  const server = http.createServer((_req, res) => res.end('ok'));
  const port = await listen(server);
  const outcome = await probeUntilHealthy(
    { host: '127.0.0.1', port, path: '/' },
    { attempts: 3, intervalMs: 10, timeoutMs: 1000, exited: Promise.reject(new Error('engine gone')) },
  );
  server.close();
  assert.deepEqual([outcome.healthy, outcome.exited], [true, false]);
});

test('probeUntilHealthy gives up after its attempts and reports each one', async () => {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((r) => server.close(r));
  const outcome = await probeUntilHealthy({ host: '127.0.0.1', port }, { attempts: 3, intervalMs: 10, timeoutMs: 500 });
  assert.deepEqual([outcome.healthy, outcome.exited, outcome.results.length], [false, false, 3]);
  assert.ok(outcome.results.every((r) => /ECONNREFUSED/.test(r.detail)));
});

test('TCP probe with holdMs 0 (a container address): an accepted connection passes at once', async () => {
  const server = net.createServer((socket) => setTimeout(() => socket.destroy(), 50));
  const port = await listen(server);
  const result = await probeOnce({ host: '127.0.0.1', port, holdMs: 0 }, 2000);
  server.close();
  assert.deepEqual([result.ok, result.detail], [true, 'TCP connect ok']);
});

test('probeUntilHealthy re-tries a refused connect within the attempt: listening 150 ms late passes in 1', async () => {
  const holder = net.createServer();
  const port = await listen(holder);
  await new Promise((r) => holder.close(r));
  const server = net.createServer(() => {});
  const late = setTimeout(() => server.listen(port, '127.0.0.1'), 150);
  try {
    const outcome = await probeUntilHealthy(
      { host: '127.0.0.1', port, holdMs: 0 },
      { attempts: 2, intervalMs: 2000, timeoutMs: 500 },
    );
    assert.deepEqual([outcome.healthy, outcome.results.length], [true, 1]);
  } finally {
    clearTimeout(late);
    server.close();
  }
});
