import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, freePort, uniqueApp } from '../e2e/harness.js';
import { startLoad, summarize, type LoadSample } from '../e2e/load.js';
import { removeRegistryTrust } from '../../src/registry/registry-trust.js';
import { SwarmLab } from './swarm-lab.js';

interface PsRow {
  dyno: string;
  release: string;
  state: string;
  router?: string;
  node?: string;
}

/**
 * Slipway on a real three-node Swarm: its engine is the lab's manager, its registry listens on the
 * host's address on the lab bridge, HAProxy on the host routes to each task at its node's address.
 */
describe('deploys on a three-node Swarm (real dockerds, real HAProxy, Slipway registry)', () => {
  let lab: SwarmLab;
  let h: Harness;
  let registry = '';
  const app = uniqueApp('swarm');

  const ps = async (): Promise<PsRow[]> =>
    (JSON.parse((await h.ok('ps', '-a', app, '--json')).stdout) as { processes: PsRow[] }).processes;

  const assertClean = (samples: LoadSample[], what: string) => {
    const summary = summarize(samples);
    assert.ok(summary.total > 50, `${what}: too few requests (${summary.total}) to mean anything`);
    assert.deepEqual(
      { failed: summary.failed, non2xx: summary.non2xx, failures: summary.failures },
      { failed: 0, non2xx: 0, failures: [] },
      `${what}: ${summary.total} requests`,
    );
    return summary;
  };

  before(async () => {
    lab = await SwarmLab.start({ names: ['m1', 'w1', 'w2'] });
    lab.importBusyboxWeb('slipway-lab/web:1', 'one');
    h = await Harness.create();
    const port = await freePort();
    registry = `${lab.hostAddress}:${port}`;
    await h.startServer({
      DOCKER_HOST: lab.manager.host,
      SLIPWAY_REGISTRY_ADDRESS: lab.hostAddress,
      SLIPWAY_REGISTRY_PORT: String(port),
    });
    await h.ok('apps:create', app);
    await h.ok('apps:settings:set', '-a', app, 'drain.timeout=5s', 'stop.grace=2s');
    await h.ok('deploy', '-a', app, '--image', 'slipway-lab/web:1');
    await h.ok('ps:scale', '-a', app, 'web=4');
  });

  after(async () => {
    await h?.destroy();
    if (registry) await removeRegistryTrust(registry).catch(() => undefined);
    await lab?.destroy();
  });

  test('four web processes spread over the nodes, each a Swarm service run from the registry by digest', async () => {
    const rows = (await ps()).filter((p) => p.dyno.startsWith('web.'));
    assert.equal(rows.length, 4);
    assert.ok(
      rows.every((r) => r.state === 'running' && r.router === 'UP'),
      JSON.stringify(rows),
    );
    const nodes = new Set(rows.map((r) => r.node));
    assert.ok(nodes.size >= 2, `spread over the nodes: ${JSON.stringify(rows)}`);
    const images = lab.manager.docker('service', 'ls', '--format', '{{.Image}}').split('\n').filter(Boolean);
    assert.ok(images.length >= 4);
    for (const image of images)
      assert.match(image, new RegExp(`^${registry.replace(/\./g, '\\.')}/slipway/.+@sha256:`));
  });

  test('five rolling deploys and one blue-green under load: zero failed requests, zero non-2xx', async (t) => {
    const run = startLoad({
      port: h.httpPort,
      host: h.host(app),
      keepAliveClients: 4,
      newConnectionClients: 2,
      maxDurationMs: 8 * 60_000,
    });
    try {
      for (let i = 1; i <= 5; i++) await h.ok('config:set', '-a', app, `ROUND=${i}`);
      await h.ok('deploy', '-a', app, '--image', 'slipway-lab/web:1', '--strategy', 'blue-green');
    } finally {
      await run.stop();
    }
    const summary = assertClean(run.samples, '5 rolling + 1 blue-green');
    t.diagnostic(`${summary.total} requests over 6 deploys on 3 nodes: ${summary.failed} failed`);
    const rows = (await ps()).filter((p) => p.dyno.startsWith('web.') && p.state === 'running');
    assert.ok(rows.length >= 4, JSON.stringify(rows));
    const live = lab.manager.docker('service', 'ls', '--format', '{{.Name}}').split('\n').filter(Boolean);
    assert.ok(live.length >= 4, `old services are removed, the warm set aside: ${live.join(' ')}`);
  });
});
