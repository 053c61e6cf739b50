import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, uniqueApp } from '../e2e/harness.js';
import { startLoad } from '../e2e/load.js';
import { httpsGet } from '../../src/router/testing/https-client.js';
import { RuntimeApi } from '../../src/router/runtime-api.js';
import { RemoteRouter } from '../../src/router/ingress/remote-router.js';
import { makeTestCert } from '../../src/domains/testing/make-cert.js';
import { SwarmLab } from './swarm-lab.js';
import { assertClean, deployLabApp, labServerEnv, tearDownLab, waitUntil } from './swarm-kit.js';

const INGRESS_HTTP = 8080;
const INGRESS_HTTPS = 8443;

interface NodeRow {
  name: string;
  ingress?: string;
  labels: Record<string, string>;
}

/**
 * HAProxy on a node labelled slipway.ingress=true: Swarm runs Slipway's ingress image there (built on the
 * manager, from the registry by digest), and every route change reaches it as it reaches the manager's.
 * The lab's nodes reach no package mirror, so the image starts from a local base that has HAProxy and Node.
 */
describe('ingress nodes on a three-node Swarm (real dockerds, HAProxy on the manager and on the ingress node)', () => {
  let lab: SwarmLab;
  let h: Harness;
  let registry = '';
  let dir = '';
  let serverEnv: NodeJS.ProcessEnv = {};
  const app = uniqueApp('ingress');
  const domain = `www.${app}.test`;

  const nodes = async () => (JSON.parse((await h.ok('nodes', '--json')).stdout) as { nodes: NodeRow[] }).nodes;
  const ingressOf = async (name: string) => (await nodes()).find((n) => n.name === name)?.ingress;
  const edge = () => lab.node('w2').address;
  /** The app's servers as each HAProxy has them (the ingress node's through its agent, as the manager). */
  const serverNames = async (which: 'manager' | 'ingress') => {
    if (which === 'manager')
      return (await new RuntimeApi(join(h.home, 'haproxy', 'runtime.sock')).statuses(app)).map((s) => s.name).sort();
    const read = (name: string) => readFileSync(join(h.home, 'ingress', name), 'utf8');
    const remote = new RemoteRouter('w2', edge(), 7443, {
      cert: read('manager.crt'),
      key: read('manager.key'),
      ca: read('ca/ca.crt'),
    });
    try {
      return (await remote.serverStatuses(app)).map((s) => s.name).sort();
    } finally {
      remote.close();
    }
  };

  before(async () => {
    lab = await SwarmLab.start({ names: ['m1', 'w1', 'w2'] });
    lab.importBusyboxWeb('slipway-lab/web:1', 'one');
    lab.loadImage('slipway/haproxy-node:bookworm', ['m1']);
    dir = mkdtempSync(join(tmpdir(), 'slipway-ingress-e2e-'));
    h = await Harness.create();
    const { env, registry: r } = await labServerEnv(lab);
    registry = r;
    serverEnv = {
      ...env,
      SLIPWAY_INGRESS_BASE_IMAGE: 'slipway/haproxy-node:bookworm',
      SLIPWAY_INGRESS_HTTP_PORT: String(INGRESS_HTTP),
      SLIPWAY_INGRESS_HTTPS_PORT: String(INGRESS_HTTPS),
    };
    await h.startServer(serverEnv);
    await deployLabApp(h, app);
  });

  after(async () => {
    await tearDownLab(h, registry, lab);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('nodes:label w2 slipway.ingress=true: Swarm starts HAProxy there, Slipway gives it every route', async (t) => {
    const bad = await h.cli('nodes:label', 'w2', 'slipway.ingress=yes');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /slipway\.ingress is true or false/);
    assert.equal(await ingressOf('w2'), undefined);
    const labelled = Date.now();
    await h.ok('nodes:label', 'w2', 'slipway.ingress=true');
    await waitUntil(
      async () => (await ingressOf('w2')) === 'in',
      180_000,
      'the ingress HAProxy on w2 to take the routes',
    );
    t.diagnostic(`label → ingress HAProxy in (image built, pushed, pulled, synced): ${Date.now() - labelled} ms`);
    const rows = await nodes();
    assert.equal(rows.find((n) => n.name === 'm1')?.ingress, 'manager');
    assert.equal(rows.find((n) => n.name === 'w1')?.ingress, undefined);
    assert.equal(rows.find((n) => n.name === 'w2')?.labels['slipway.ingress'], 'true');
    // One task, on w2 only, run from the registry by digest.
    const tasks = lab.manager
      .docker(
        'service',
        'ps',
        'slipway-ingress',
        '--filter',
        'desired-state=running',
        '--format',
        '{{.Node}} {{.Image}}',
      )
      .split('\n')
      .filter(Boolean);
    assert.equal(tasks.length, 1, tasks.join('\n'));
    assert.match(tasks[0]!, new RegExp(`^w2 ${registry.replace(/\./g, '\\.')}/slipway/ingress.*@sha256:`));
    const run = startLoad({
      port: INGRESS_HTTP,
      address: edge(),
      host: h.host(app),
      keepAliveClients: 1,
      newConnectionClients: 1,
    });
    await waitUntil(async () => run.samples.filter((s) => s.ok).length >= 20, 30_000, 'replies from the ingress node');
    const samples = await run.stop();
    assert.ok(
      samples.every((s) => s.body?.trim() === 'ok one'),
      JSON.stringify(samples.slice(-2)),
    );
  });

  test('rolling and blue-green deploys under load on the manager and the ingress node: zero failed', async (t) => {
    const loads = [
      startLoad({
        port: h.httpPort,
        host: h.host(app),
        keepAliveClients: 3,
        newConnectionClients: 1,
        maxDurationMs: 8 * 60_000,
      }),
      startLoad({
        port: INGRESS_HTTP,
        address: edge(),
        host: h.host(app),
        keepAliveClients: 3,
        newConnectionClients: 1,
        maxDurationMs: 8 * 60_000,
      }),
    ];
    try {
      for (let i = 1; i <= 3; i++) await h.ok('config:set', '-a', app, `ROUND=${i}`);
      await h.ok('deploy', '-a', app, '--image', 'slipway-lab/web:1', '--strategy', 'blue-green');
    } finally {
      const [manager, ingress] = await Promise.all(loads.map((l) => l.stop()));
      const m = assertClean(manager!, 'through the manager');
      const e = assertClean(ingress!, 'through the ingress node');
      t.diagnostic(`manager: ${m.total} requests, ingress node: ${e.total} requests, 0 failed`);
      assert.ok(e.total > 100, `${e.total} requests through the ingress node`);
    }
    // Both HAProxies route to exactly the same servers: every add and remove reached the ingress node.
    assert.deepEqual(await serverNames('ingress'), await serverNames('manager'));
    // Four in rotation and the four of the blue-green warm set, kept for a warm rollback.
    assert.equal((await serverNames('manager')).length, 8);
  });

  test('domains and TLS: a custom domain and its certificate are served on the ingress node too', async () => {
    await h.ok('domains:add', '-a', app, domain);
    const cert = makeTestCert(dir, { cn: domain, sans: [domain] });
    await h.ok('certs:add', '-a', app, cert.certFile, cert.keyFile);
    const fingerprint = new X509Certificate(cert.cert).fingerprint256;
    await waitUntil(
      async () => (await httpsGet(INGRESS_HTTPS, domain, { address: edge() })).fingerprint256 === fingerprint,
      30_000,
      'the ingress node to serve the certificate',
    );
    const there = await httpsGet(INGRESS_HTTPS, domain, { address: edge() });
    const here = await httpsGet(h.httpsPort, domain);
    assert.deepEqual([there.status, there.body.trim()], [200, 'ok one']);
    assert.equal(here.fingerprint256, fingerprint);
  });

  test('the server killed -9 and started again: the ingress node serves throughout, then takes changes', async (t) => {
    const taskIds = () =>
      lab.manager.docker('service', 'ps', '-q', 'slipway-ingress', '--filter', 'desired-state=running');
    const before = taskIds();
    const run = startLoad({
      port: INGRESS_HTTP,
      address: edge(),
      host: h.host(app),
      keepAliveClients: 2,
      newConnectionClients: 1,
    });
    try {
      await waitUntil(async () => run.samples.length > 50, 20_000, 'the load to run');
      await h.killServer();
      await h.startServer(serverEnv);
      await waitUntil(async () => (await ingressOf('w2')) === 'in', 60_000, 'the ingress node to be in again');
      await h.ok('config:set', '-a', app, 'ROUND=after-restart');
    } finally {
      await run.stop();
    }
    const summary = assertClean(run.samples, 'through the ingress node, across a kill -9 of the server and a deploy');
    t.diagnostic(`ingress node across kill -9 + restart + rolling deploy: ${summary.total} requests, 0 failed`);
    assert.equal(taskIds(), before, 'the same ingress task: its HAProxy was not restarted');
    assert.deepEqual(await serverNames('ingress'), await serverNames('manager'));
  });

  test('removing the label stops HAProxy on the node; nodes no longer lists it as an ingress', async () => {
    await h.ok('nodes:label', 'w2', 'slipway.ingress-');
    await waitUntil(async () => (await ingressOf('w2')) === undefined, 60_000, 'w2 to be no ingress');
    await waitUntil(
      () =>
        new Promise((resolve) => {
          const socket = net.connect(INGRESS_HTTP, edge());
          socket.once('connect', () => (socket.destroy(), resolve(false)));
          socket.once('error', () => resolve(true));
        }),
      60_000,
      'the ingress port on w2 to close',
    );
  });
});
