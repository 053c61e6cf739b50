import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { pollUntil } from '../../src/core/abort.js';
import { SwarmLab } from './swarm-lab.js';

/** The lab itself: three real dockerds in namespaces of their own form one Swarm the host can reach. */
describe('swarm lab (three dockerds in network namespaces)', () => {
  let lab: SwarmLab;
  let image: string;

  before(async () => {
    lab = await SwarmLab.start({ names: ['m1', 'w1', 'w2'] });
    image = lab.importBusyboxWeb('slipway-lab/web:1');
  });

  after(async () => {
    await lab?.destroy();
  });

  test('one manager and two workers, each with its own hostname, all Ready', () => {
    const rows = lab.manager.docker('node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.ManagerStatus}}');
    assert.deepEqual(
      rows
        .split('\n')
        .map((r) => r.trim())
        .sort(),
      ['m1 Ready Leader', 'w1 Ready', 'w2 Ready'],
    );
  });

  test('a task on a worker answers on its host-mode published port at the node address', async () => {
    lab.manager.docker(
      'service',
      'create',
      '--detach',
      '--name',
      'lab-web',
      '--constraint',
      'node.hostname==w2',
      '--publish',
      'mode=host,target=8080',
      image,
    );
    const port = await pollUntil(
      async () => {
        const out = lab.manager.docker('service', 'ps', 'lab-web', '--filter', 'desired-state=running', '-q');
        const task = out.split('\n')[0];
        if (!task) return undefined;
        // Host-mode ports are listed once per address family: the same port twice.
        const status = lab.manager.docker('inspect', task, '--format', '{{json .Status.PortStatus}}');
        const ports = (JSON.parse(status) as { Ports?: { PublishedPort: number }[] }).Ports ?? [];
        const published = ports[0]?.PublishedPort;
        return Number(published) || undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the task to publish its port' },
    );
    const body = await pollUntil(
      () =>
        fetch(`http://${lab.node('w2').address}:${port}/`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.text(),
          () => undefined,
        ),
      { timeoutMs: 30_000, intervalMs: 200, what: 'the task to answer' },
    );
    assert.equal(body.trim(), 'ok 1');
  });

  test('a killed worker is Down for the manager; revived, it is Ready again', async () => {
    lab.killNode('w1');
    await pollUntil(
      async () =>
        /w1 Down/.test(lab.manager.docker('node', 'ls', '--format', '{{.Hostname}} {{.Status}}')) ? true : undefined,
      { timeoutMs: 60_000, intervalMs: 250, what: 'w1 to be Down' },
    );
    await lab.reviveNode('w1');
    await lab.waitReady(3);
  });

  test('destroy leaves no namespace, link or directory behind', async () => {
    const probe = await SwarmLab.start({ names: ['x1'], swarm: false });
    const { id, root, bridge } = probe;
    await probe.destroy();
    assert.equal(existsSync(root), false);
    assert.equal(
      readdirSync('/run/netns').some((n) => n.includes(id)),
      false,
    );
    assert.equal(existsSync(`/sys/class/net/${bridge}`), false);
  });
});
