import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { probeOnce, probeUntilHealthy } from './probe.js';

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
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

test('probeUntilHealthy stops early when the container has exited', async () => {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((r) => server.close(r));
  const outcome = await probeUntilHealthy({ host: '127.0.0.1', port }, { attempts: 50, intervalMs: 10, timeoutMs: 500, stillRunning: async () => false });
  assert.deepEqual([outcome.healthy, outcome.exited, outcome.results.length], [false, true, 1]);
});
