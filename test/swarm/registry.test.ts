import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pollUntil } from '../../src/core/abort.js';
import { isSlipwayError } from '../../src/core/errors.js';
import { DockerHttpClient } from '../../src/engine/docker-http.js';
import { registryAuthHeadersFor } from '../../src/registry/registry-auth.js';
import { RegistryClient, type PushResult } from '../../src/registry/registry-client.js';
import { probeRegistry } from '../../src/registry/registry-process.js';
import { pullImageRequest } from '../../src/registry/registry-requests.js';
import { prepareSupervisedRegistry, type SupervisedRegistry } from '../../src/registry/registry-setup.js';
import { registryPaths, removeRegistryFiles, type RegistryEvent } from '../../src/registry/registry-supervisor.js';
import { removeRegistryTrust, writeRegistryTrust } from '../../src/registry/registry-trust.js';
import type { LayerProgress } from '../../src/registry/registry-progress.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { SwarmLab } from './swarm-lab.js';

/**
 * Issue 10, part 2: an image built on the manager runs on a worker, pulled by digest from
 * Slipway's own registry (CNCF distribution, TLS with Slipway's CA, htpasswd user).
 */
describe('registry: images built on the manager reach the workers by digest', () => {
  let lab: SwarmLab;
  let home: string;
  let registry: SupervisedRegistry;
  let pushed: PushResult;
  const events: RegistryEvent[] = [];
  const progress: LayerProgress[] = [];

  before(async () => {
    lab = await SwarmLab.start({ names: ['m1', 'w1'] });
    home = await mkdtemp(path.join(tmpdir(), 'slipway-registry-'));
    const port = await freePort(lab.hostAddress);
    registry = await prepareSupervisedRegistry({
      dir: path.join(home, 'registry'),
      box: new SecretBox(randomBytes(32)),
      advertise: lab.hostAddress,
      port,
      restart: { baseDelayMs: 100 },
      log: (event) => events.push(event),
    });
    await writeRegistryTrust(registry.access.server, registry.tls.caPem);
    await registry.supervisor.start(AbortSignal.timeout(30_000));
  });

  after(async () => {
    await registry?.supervisor.stop();
    if (registry) await removeRegistryTrust(registry.access.server);
    if (home) {
      await removeRegistryFiles(path.join(home, 'registry'));
      await rm(home, { recursive: true, force: true });
    }
    await lab?.destroy();
  });

  test('the registry answers 401 over TLS that Slipway’s CA vouches for', async () => {
    const [host, port] = registry.access.server.split(':');
    assert.equal(await probeRegistry(host!, Number(port), registry.tls.caPem), 401);
  });

  test('an image built on m1 is pushed through the Engine API and comes back as a digest reference', async () => {
    lab.importBusyboxWeb('slipway-reg/base:1', 'registry');
    // The worker must not have it: it has to come from the registry.
    lab.node('w1').docker('rmi', 'slipway-reg/base:1');
    const m1 = lab.manager;
    buildOn(m1.host, 'slipway-reg/web:built', 'FROM slipway-reg/base:1\nLABEL slipway.test=registry\nENV BUILT=1\n');
    const client = new RegistryClient(new DockerHttpClient({ endpoint: { socketPath: m1.socket } }), registry.access);
    const started = Date.now();
    pushed = await client.push('slipway-reg/web:built', 'web', 'v1', {
      signal: AbortSignal.timeout(60_000),
      onProgress: (p) => progress.push(p),
    });
    console.log(`push took ${Date.now() - started} ms`);
    assert.match(pushed.ref, new RegExp(`^${escape(registry.access.server)}/slipway/web@sha256:[0-9a-f]{64}$`));
    assert.ok(
      progress.some((p) => /Pushed|Layer already exists/.test(p.status)),
      'per-layer progress arrived',
    );
    assert.throws(() => lab.node('w1').docker('image', 'inspect', pushed.ref), 'w1 does not have the image yet');
  });

  test('w1 cannot pull without credentials, or with a wrong password: a clear error', async () => {
    const w1 = new DockerHttpClient({ endpoint: { socketPath: lab.node('w1').socket } });
    const anonymous = w1.stream(pullImageRequest(pushed.ref), { timeoutMs: 20_000 }).then(async (res) => {
      let text = '';
      for await (const chunk of res.body) text += chunk.toString('utf8');
      return text;
    });
    const anonymousError = await anonymous.then(
      (text) => text,
      (e: unknown) => String((e as Error).message),
    );
    console.log(`anonymous pull: ${anonymousError.trim()}`);
    assert.match(anonymousError, /no basic auth credentials|unauthorized|authentication required/i);
    const wrong = new RegistryClient(w1, { ...registry.access, password: 'not-the-password' });
    const err = await wrong.pull(pushed.ref, { timeoutMs: 20_000 }).then(
      () => assert.fail('the pull succeeded'),
      (e: unknown) => e,
    );
    assert.ok(isSlipwayError(err), String(err));
    assert.equal(err.code, 'REGISTRY_FAILED');
    assert.match(err.message, /unauthorized|authentication/i);
    assert.match(err.hint ?? '', /credentials/);
    assert.doesNotMatch(JSON.stringify({ m: err.message, h: err.hint, d: err.details }), /not-the-password/);
    console.log(`wrong password: ${err.message} (hint: ${err.hint})`);
    // TLS is real: without Slipway's CA in certs.d, even the right credentials do not get through.
    await removeRegistryTrust(registry.access.server);
    const untrusted = await new RegistryClient(w1, registry.access).pull(pushed.ref, { timeoutMs: 20_000 }).then(
      () => assert.fail('the pull succeeded without trusting the CA'),
      (e: unknown) => e,
    );
    await writeRegistryTrust(registry.access.server, registry.tls.caPem);
    assert.ok(isSlipwayError(untrusted), String(untrusted));
    assert.match(untrusted.message, /x509|certificate/i);
    assert.match(untrusted.hint ?? '', /certs\.d/);
    // A service created without X-Registry-Auth cannot start its task on w1 either.
    const manager = new DockerHttpClient({ endpoint: { socketPath: lab.manager.socket } });
    await manager.json({ method: 'POST', path: '/services/create', body: serviceSpec('reg-anon', pushed.ref) });
    const taskError = await pollUntil(
      async () => {
        const out = lab.manager.docker('service', 'ps', 'reg-anon', '--no-trunc', '--format', '{{.Error}}');
        return out.split('\n').find((line) => line.trim() !== '');
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the anonymous task to fail' },
    );
    console.log(`service without credentials: ${taskError}`);
    assert.match(taskError, /no basic auth credentials|unauthorized|No such image/i);
    lab.manager.docker('service', 'rm', 'reg-anon');
  });

  test('a service on the manager, placed on w1, runs the digest ref: the worker pulls it', async () => {
    const manager = new DockerHttpClient({ endpoint: { socketPath: lab.manager.socket } });
    const headers = registryAuthHeadersFor(pushed.ref, [registry.access]);
    assert.ok(headers, 'the ref is in the registry');
    await manager.json({
      method: 'POST',
      path: '/services/create',
      headers,
      body: serviceSpec('reg-web', pushed.ref),
    });
    const port = await publishedPort('reg-web');
    const body = await pollUntil(
      () =>
        fetch(`http://${lab.node('w1').address}:${port}/`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.text(),
          () => undefined,
        ),
      { timeoutMs: 30_000, intervalMs: 200, what: 'the task on w1 to answer' },
    );
    assert.equal(body.trim(), 'ok registry');
    const digests = lab.node('w1').docker('image', 'inspect', pushed.ref, '--format', '{{json .RepoDigests}}');
    assert.ok(digests.includes(pushed.digest), 'w1 holds the image by its digest');
  });

  test('the password is in no config file, process argument, event or registry log line', async () => {
    const { password } = registry.access;
    const paths = registryPaths(path.join(home, 'registry'));
    const pid = registry.supervisor.pid!;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    assert.deepEqual(cmdline.split('\0').filter(Boolean), ['/usr/bin/docker-registry', 'serve', paths.config]);
    const htpasswd = await readFile(path.join(home, 'registry', 'auth', 'htpasswd'), 'utf8');
    assert.match(htpasswd, /^slipway-[0-9a-f]{8}:\$2y\$10\$/);
    const sealed = await readFile(path.join(home, 'registry', 'auth', 'credentials.sealed'), 'utf8');
    for (const [what, text] of Object.entries({
      config: await readFile(paths.config, 'utf8'),
      cmdline,
      htpasswd,
      sealed,
      events: JSON.stringify(events),
      log: await readFile(paths.logFile, 'utf8'),
      progress: JSON.stringify(progress),
    })) {
      assert.ok(!text.includes(password), `the password appears in ${what}`);
    }
  });

  test('the registry is restarted when its process is killed', async () => {
    const pid = registry.supervisor.pid!;
    process.kill(pid, 'SIGKILL');
    const restarted = await pollUntil(
      async () => {
        const now = registry.supervisor.pid;
        return now !== undefined && now !== pid ? now : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: 'the registry to be restarted' },
    );
    assert.notEqual(restarted, pid);
    assert.ok(events.some((e) => e.type === 'registry.died' && e.pid === pid));
    const [host, port] = registry.access.server.split(':');
    assert.equal(await probeRegistry(host!, Number(port), registry.tls.caPem), 401);
    // Its storage survived: pushing the same image again gives the same digest.
    const client = new RegistryClient(
      new DockerHttpClient({ endpoint: { socketPath: lab.manager.socket } }),
      registry.access,
    );
    const again = await client.push('slipway-reg/web:built', 'web', 'v2', { signal: AbortSignal.timeout(60_000) });
    assert.equal(again.ref, pushed.ref);
  });

  async function publishedPort(service: string): Promise<number> {
    return pollUntil(
      async () => {
        const out = lab.manager.docker('service', 'ps', service, '--filter', 'desired-state=running', '-q');
        const task = out.split('\n')[0];
        if (!task) return undefined;
        const status = lab.manager.docker('inspect', task, '--format', '{{json .Status.PortStatus}}');
        const ports = (JSON.parse(status) as { Ports?: { PublishedPort: number }[] }).Ports ?? [];
        return Number(ports[0]?.PublishedPort) || undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `${service} to publish its port` },
    );
  }
});

/** A service of one task on w1 that publishes 8080 in host mode. */
function serviceSpec(name: string, image: string): unknown {
  return {
    Name: name,
    TaskTemplate: { ContainerSpec: { Image: image }, Placement: { Constraints: ['node.hostname==w1'] } },
    EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 8080, PublishMode: 'host' }] },
  };
}

function buildOn(host: string, tag: string, dockerfile: string): void {
  execFileSync('docker', ['-H', host, 'build', '-q', '-t', tag, '-'], {
    input: dockerfile,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
