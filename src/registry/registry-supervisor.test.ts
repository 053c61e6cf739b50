import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pollUntil } from '../core/abort.js';
import { SecretBox } from '../store/secret-box.js';
import { probeRegistry } from './registry-process.js';
import { prepareSupervisedRegistry } from './registry-setup.js';
import { RegistrySupervisor, type RegistryEvent } from './registry-supervisor.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function supervisorWith(registryBin: string, dir: string): Promise<RegistrySupervisor> {
  return new RegistrySupervisor({
    registryBin,
    dir,
    bind: '127.0.0.1',
    port: await freePort(),
    tls: { certFile: path.join(dir, 'c.crt'), keyFile: path.join(dir, 'c.key'), caPem: '' },
    htpasswdFile: path.join(dir, 'htpasswd'),
    startTimeoutMs: 5_000,
  });
}

test('a missing registry binary is a clear error with the install hint', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-regsup-'));
  try {
    const supervisor = await supervisorWith(path.join(dir, 'no-such-registry'), dir);
    await assert.rejects(supervisor.start(), (err: { code: string; hint?: string }) => {
      assert.equal(err.code, 'REGISTRY_FAILED');
      assert.match(err.hint ?? '', /apt-get install docker-registry/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a registry that exits at start fails the start (no endless wait)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-regsup-'));
  try {
    const supervisor = await supervisorWith('/bin/false', dir);
    await assert.rejects(supervisor.start(), { code: 'REGISTRY_FAILED', message: /exited at start/ });
    assert.equal(supervisor.pid, undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// Adapter tests against the real distribution binary (Debian's docker-registry) on loopback.
test('restarts are bounded; a registry left behind by a dead Slipway is replaced', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-regsup-'));
  const box = new SecretBox(randomBytes(32));
  const port = await freePort();
  const eventsA: RegistryEvent[] = [];
  const eventsB: RegistryEvent[] = [];
  const options = { dir, box, advertise: '127.0.0.1', port };
  const a = await prepareSupervisedRegistry({
    ...options,
    restart: { maxRestarts: 1, baseDelayMs: 50 },
    log: (e) => eventsA.push(e),
  });
  const b = await prepareSupervisedRegistry({ ...options, log: (e) => eventsB.push(e) });
  const until = (events: RegistryEvent[], type: RegistryEvent['type'], count = 1) =>
    pollUntil(async () => (events.filter((e) => e.type === type).length >= count ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 25,
      what: `${count} × ${type}`,
    });
  try {
    await a.supervisor.start(AbortSignal.timeout(20_000));
    const first = a.supervisor.pid!;
    process.kill(first, 'SIGKILL');
    await until(eventsA, 'registry.started', 2);
    assert.equal(await probeRegistry('127.0.0.1', port, a.tls.caPem), 401);
    process.kill(a.supervisor.pid!, 'SIGKILL');
    await until(eventsA, 'registry.gave-up');
    assert.equal(a.supervisor.pid, undefined);

    // A started again; B (a new Slipway on the same home) finds A's child via the pidfile and replaces it.
    await a.supervisor.start(AbortSignal.timeout(20_000));
    const stale = a.supervisor.pid!;
    await b.supervisor.start(AbortSignal.timeout(20_000));
    assert.notEqual(b.supervisor.pid, stale);
    assert.equal(await probeRegistry('127.0.0.1', port, b.tls.caPem), 401);
    await until(eventsA, 'registry.died', 3);
    const before = b.supervisor.pid;
    await b.supervisor.restart(AbortSignal.timeout(20_000));
    assert.notEqual(b.supervisor.pid, before);
    assert.equal(await probeRegistry('127.0.0.1', port, b.tls.caPem), 401);
    assert.ok(!eventsB.some((e) => e.type === 'registry.died'), 'a restart on purpose is no death');
  } finally {
    await a.supervisor.stop();
    await b.supervisor.stop();
    await rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual(
    eventsA.map((e) => e.type),
    [
      'registry.started',
      'registry.died',
      'registry.restarting',
      'registry.started',
      'registry.died',
      'registry.gave-up',
      'registry.started',
      'registry.died',
      'registry.gave-up',
      'registry.stopped',
    ],
  );
});
