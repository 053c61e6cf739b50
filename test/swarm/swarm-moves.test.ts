import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, uniqueApp } from '../e2e/harness.js';
import { startLoad } from '../e2e/load.js';
import { SwarmLab } from './swarm-lab.js';
import { assertClean, deployLabApp, labServerEnv, psRows, servingWeb, tearDownLab, waitUntil } from './swarm-kit.js';

interface NodeRow {
  name: string;
  availability: string;
  tasks: number;
}

/**
 * Growing onto a Swarm with an app running, then moving its processes between nodes, all under load:
 * a one-host installation (its engine: the lab's m1, not yet a Swarm) with four web processes adds w1
 * (it becomes a Swarm; the plain containers move onto services) and w2; then nodes:drain w1, nodes:activate
 * w1 and nodes:rebalance. Zero failed requests and zero non-2xx through each step.
 */
describe('moving processes between nodes under load (real dockerds, real HAProxy, Slipway registry)', () => {
  let lab: SwarmLab;
  let h: Harness;
  let registry = '';
  let env: NodeJS.ProcessEnv = {};
  const app = uniqueApp('moves');
  const clients = { keepAliveClients: 3, newConnectionClients: 2 };

  const nodes = async (): Promise<NodeRow[]> =>
    (JSON.parse((await h.ok('nodes', '--json')).stdout) as { nodes: NodeRow[] }).nodes;

  const underLoad = async (what: string, action: () => Promise<void>) => {
    const run = startLoad({ port: h.httpPort, host: h.host(app), ...clients, maxDurationMs: 6 * 60_000 });
    try {
      await waitUntil(async () => run.samples.length > 20, 20_000, 'the load to run');
      await action();
    } finally {
      await run.stop();
    }
    return assertClean(run.samples, what);
  };

  before(async () => {
    lab = await SwarmLab.start({ names: ['m1', 'w1', 'w2'], swarm: false, routed: 'm1' });
    lab.importBusyboxWeb('slipway-lab/web:1', 'one');
    h = await Harness.create();
    ({ env, registry } = await labServerEnv(lab));
    await h.startServer(env);
    await deployLabApp(h, app);
  });

  after(() => tearDownLab(h, registry, lab));

  test('adding the first nodes to a running one-host installation moves its processes onto services', async (t) => {
    const onHost = await servingWeb(h, app);
    assert.equal(onHost.length, 4, JSON.stringify(onHost));
    assert.ok(
      onHost.every((r) => r.node === undefined),
      `one host: no node column yet ${JSON.stringify(onHost)}`,
    );
    const summary = await underLoad('the move to Swarm', async () => {
      const added = await h.ok('nodes:add', '--engine', lab.node('w1').host, '--advertise-addr', lab.manager.address);
      assert.match(added.stdout, /now a Swarm manager/);
      await waitUntil(
        async () => {
          const rows = await servingWeb(h, app);
          return rows.length === 4 && rows.every((r) => r.node !== undefined);
        },
        180_000,
        'the four web processes to run as Swarm services',
        250,
      ).catch(async (err: unknown) => {
        t.diagnostic(JSON.stringify(await psRows(h, app).catch(() => [])));
        t.diagnostic(h.serverLog.split('\n').slice(-30).join('\n'));
        throw err;
      });
      await h.ok('nodes:add', '--engine', lab.node('w2').host);
    });
    t.diagnostic(`moved to Swarm under load: ${summary.total} requests, ${summary.failed} failed`);
    // The last old container may still be draining and stopping when its replacement is already serving.
    const plain = () =>
      lab.manager.docker('ps', '-q', '--filter', `label=slipway.app=${app}`, '--filter', 'is-task=false');
    await waitUntil(async () => plain() === '', 60_000, 'no plain container of the app left on the manager').catch(
      (err: unknown) => {
        const all = lab.manager.docker('ps', '-a', '--format', '{{.ID}} {{.Names}} {{.Status}}');
        t.diagnostic(`left: ${plain()}; all: ${JSON.stringify(all)}`);
        throw err;
      },
    );
    assert.equal(lab.manager.docker('service', 'ls', '-q').split('\n').filter(Boolean).length, 4);
    assert.equal((await nodes()).length, 3);
  });

  test('nodes:drain moves every process off the node under load, then marks it drained', async (t) => {
    // A node with web processes (the first moves put them on m1 and w1).
    const rows = await servingWeb(h, app);
    const victim = ['w1', 'w2', 'm1'].find((n) => rows.some((r) => r.node === n))!;
    const onVictim = rows.filter((r) => r.node === victim).length;
    let out = '';
    const summary = await underLoad(`nodes:drain ${victim}`, async () => {
      out = (await h.ok('nodes:drain', victim)).stdout;
    });
    t.diagnostic(`drained ${victim} (${onVictim} web) under load: ${summary.total} requests, ${summary.failed} failed`);
    assert.match(out, new RegExp(`drained ${victim}: .*drain, 0 task\\(s\\).*\\(${onVictim} process\\(es\\) moved`));
    const after = await servingWeb(h, app);
    assert.equal(after.length, 4, JSON.stringify(after));
    assert.ok(
      after.every((r) => r.node !== victim),
      JSON.stringify(after),
    );
    const node = (await nodes()).find((n) => n.name === victim)!;
    assert.deepEqual({ availability: node.availability, tasks: node.tasks }, { availability: 'drain', tasks: 0 });
    await h.ok('nodes:activate', victim);
  });

  test('nodes:rebalance spreads the processes again under load; the plan is then empty', async (t) => {
    const plan = JSON.parse((await h.ok('nodes:rebalance', '--dry-run', '--json')).stdout) as {
      result: { services: { app: string; moves: unknown[] }[]; applied: boolean };
    };
    assert.equal(plan.result.applied, false);
    assert.deepEqual(
      plan.result.services.map((s) => s.app),
      [app],
      JSON.stringify(plan.result),
    );
    const before = await servingWeb(h, app);
    const summary = await underLoad('nodes:rebalance', async () => {
      await h.ok('nodes:rebalance');
    });
    const spread = await servingWeb(h, app);
    const perNode = (rows: { node?: string }[]) =>
      Object.fromEntries(['m1', 'w1', 'w2'].map((n) => [n, rows.filter((r) => r.node === n).length]));
    t.diagnostic(
      `rebalance under load: ${JSON.stringify(perNode(before))} → ${JSON.stringify(perNode(spread))}; ` +
        `${summary.total} requests, ${summary.failed} failed`,
    );
    assert.equal(spread.length, 4);
    assert.ok(
      Object.values(perNode(spread)).every((c) => c >= 1),
      `every node runs a web process: ${JSON.stringify(perNode(spread))}`,
    );
    const again = JSON.parse((await h.ok('nodes:rebalance', '--dry-run', '--json')).stdout) as {
      result: { services: unknown[] };
    };
    assert.deepEqual(again.result.services, []);
    for (const n of await nodes()) {
      assert.equal(n.availability, 'active', `${n.name} is active again`);
      const labels = JSON.parse(lab.manager.docker('node', 'inspect', n.name, '--format', '{{json .Spec.Labels}}'));
      assert.equal((labels as Record<string, string>)['slipway.paused'], undefined, `${n.name} carries no pause mark`);
    }
  });

  test('a server killed during a move: its next start un-pauses the nodes; auto-rebalance spreads', async (t) => {
    const labels = (name: string) =>
      JSON.parse(lab.manager.docker('node', 'inspect', name, '--format', '{{json .Spec.Labels}}')) as Record<
        string,
        string
      > | null;
    const marked = () => ['m1', 'w1', 'w2'].filter((n) => labels(n)?.['slipway.paused'] !== undefined);
    await h.ok('nodes:drain', 'w2');
    await h.ok('nodes:activate', 'w2');
    let left: string[] = [];
    const summary = await underLoad('kill -9 during nodes:rebalance, restart with auto-rebalance', async () => {
      const rebalancing = h.cli('nodes:rebalance').catch(() => undefined);
      await waitUntil(async () => marked().length > 0, 60_000, 'a node paused for the move', 20);
      await h.killServer();
      await rebalancing;
      left = marked();
      await h.startServer({ ...env, SLIPWAY_AUTO_REBALANCE: 'on' });
      await waitUntil(
        async () => {
          const web = await servingWeb(h, app);
          const plan = JSON.parse((await h.ok('nodes:rebalance', '--dry-run', '--json')).stdout) as {
            result: { services: unknown[] };
          };
          return web.length === 4 && web.some((r) => r.node === 'w2') && plan.result.services.length === 0;
        },
        120_000,
        'the automatic rebalance to give w2 a web process again',
        500,
      ).catch((err: unknown) => {
        t.diagnostic(h.serverLog.split('\n').slice(-30).join('\n'));
        throw err;
      });
    });
    t.diagnostic(`left paused by the kill: ${left.join(', ')}; ${summary.total} requests, ${summary.failed} failed`);
    assert.ok(left.length > 0, 'the kill left a node paused');
    assert.deepEqual(marked(), [], 'no node is left paused after the restart');
    assert.deepEqual(
      (await nodes()).map((n) => n.availability),
      ['active', 'active', 'active'],
    );
    assert.match(h.serverLog, /paused by an interrupted move are active again/);
    assert.match(h.serverLog, /auto-rebalance: moved [1-9]/);
  });
});
