import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pollUntil } from '../../src/core/abort.js';
import type { ContainerEvent, ContainerInfo, ContainerSpec, LogLine } from '../../src/engine/port.js';
import { createSwarmEngine, type SwarmEngine } from '../../src/engine/swarm/swarm-engine.js';
import { SwarmLab } from './swarm-lab.js';

/** The Swarm adapter of the engine port against a real three-node Swarm (netns dockerds). */
describe('SwarmEngine on a real Swarm (m1 manager, w1 + w2 workers)', () => {
  let lab: SwarmLab;
  let image: string;
  let engine: SwarmEngine;
  const SCOPE = { 'slipway.instance': 'swarm-engine-test' };

  before(async () => {
    lab = await SwarmLab.start({ names: ['m1', 'w1', 'w2'] });
    image = lab.importBusyboxWeb('slipway-lab/web:1', '1');
    engine = createSwarmEngine({
      manager: { socketPath: lab.manager.socket, scopeLabels: SCOPE, timeoutMs: 15_000 },
      startTimeoutMs: 60_000,
      pollIntervalMs: 200,
      eventsPollMs: 300,
    });
  });

  after(async () => {
    await lab?.destroy();
  });

  function web(name: string, labels: Record<string, string>, extra: Partial<ContainerSpec> = {}): ContainerSpec {
    return {
      name,
      image,
      env: { PORT: '8080' },
      labels: { 'slipway.managed': 'true', 'slipway.process': 'web', ...labels },
      containerPort: 8080,
      stopTimeoutSec: 2,
      ...extra,
    };
  }

  async function get(info: Pick<ContainerInfo, 'endpoint'>): Promise<string | undefined> {
    const ep = info.endpoint;
    if (!ep) return undefined;
    return fetch(`http://${ep.address}:${ep.port}/`, { signal: AbortSignal.timeout(2000) }).then(
      async (r) => (await r.text()).trim(),
      () => undefined,
    );
  }

  const answers = (info: ContainerInfo, what: string) =>
    pollUntil(() => get(info), { timeoutMs: 20_000, intervalMs: 200, what });

  test('runContainer on a worker: running, endpoint = node address + published port, limits and labels', async () => {
    const t0 = Date.now();
    const info = await engine.runContainer(
      web(
        'eng-a1-web-1',
        { 'slipway.app': 'a1', 'slipway.index': '1' },
        {
          placement: ['node.hostname==w2'],
          limits: { memoryBytes: 64 * 1024 * 1024, pids: 64, cpus: 0.5 },
          logRotation: { maxSizeBytes: 1_000_000, maxFiles: 2 },
        },
      ),
    );
    assert.equal(info.state, 'running');
    assert.match(info.id, /^[a-z0-9]{25}$/, 'the id is the service id');
    assert.equal(info.node, 'w2');
    assert.equal(info.endpoint?.address, lab.node('w2').address);
    assert.ok((info.endpoint?.port ?? 0) > 0);
    assert.equal(await answers(info, 'a1 web.1 to answer'), 'ok 1');
    console.log(`runContainer → answering: ${Date.now() - t0} ms`);

    const again = await engine.inspectContainer(info.id);
    assert.deepEqual(again?.limits, { memoryBytes: 64 * 1024 * 1024, pids: 64, cpus: 0.5 });
    assert.equal(again?.labels['slipway.app'], 'a1');
    assert.equal(again?.labels['slipway.instance'], SCOPE['slipway.instance']);
    assert.equal(again?.name, 'eng-a1-web-1');
    assert.ok(again?.startedAt);
    // The labels are on the task's container too (events and `docker ps` on the node see them).
    const onNode = lab.node('w2').docker('ps', '--filter', 'label=slipway.app=a1', '--format', '{{.Labels}}');
    assert.match(onNode, /slipway\.instance=swarm-engine-test/);
    assert.match(lab.node('w2').docker('ps', '--filter', 'label=slipway.app=a1', '--format', '{{.Ports}}'), /8080/);
  });

  test('listContainers by label finds exactly the right services, never another home', async () => {
    const other = createSwarmEngine({ manager: { socketPath: lab.manager.socket, scopeLabels: { x: 'other' } } });
    const [b1, b2] = await Promise.all([
      engine.runContainer(web('eng-b-web-1', { 'slipway.app': 'b', 'slipway.index': '1' })),
      engine.runContainer(web('eng-b-worker-1', { 'slipway.app': 'b', 'slipway.process': 'worker' })),
      engine.runContainer(web('eng-c-web-1', { 'slipway.app': 'c' })),
      other.runContainer(web('eng-b-foreign', { 'slipway.app': 'b' })),
    ]);
    const ids = (list: ContainerInfo[]) => list.map((c) => c.id).sort();
    assert.deepEqual(ids(await engine.listContainers({ 'slipway.app': 'b' })), [b1!.id, b2!.id].sort());
    assert.deepEqual(ids(await engine.listContainers({ 'slipway.app': 'b', 'slipway.process': 'web' })), [b1!.id]);
    const listed = await engine.listContainers({ 'slipway.app': 'b', 'slipway.process': 'web' });
    assert.equal(listed[0]?.state, 'running');
    assert.ok(listed[0]?.endpoint && listed[0].node);
    assert.equal((await other.listContainers({ 'slipway.app': 'b' })).length, 1);
    assert.equal(await engine.inspectContainer((await other.listContainers({ 'slipway.app': 'b' }))[0]!.id), null);
  });

  test('logs of a worker task come through the manager, stdout and stderr apart, follow ends at stop', async () => {
    const cmd = ['/bin/sh', '-c', 'echo hello; echo err >&2; exec /bin/busybox httpd -f -p 8080 -h /www'];
    const info = await engine.runContainer(
      web('eng-logs-web-1', { 'slipway.app': 'logs' }, { cmd, placement: ['node.hostname==w1'] }),
    );
    assert.equal(info.node, 'w1');
    const lines = await pollUntil(
      async () => {
        const got: LogLine[] = [];
        for await (const line of engine.logs(info.id, { signal: AbortSignal.timeout(10_000) })) got.push(line);
        return got.length >= 2 ? got : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 300, what: 'both log lines' },
    );
    assert.ok(lines.some((l) => l.stream === 'stdout' && l.text === 'hello'));
    assert.ok(lines.some((l) => l.stream === 'stderr' && l.text === 'err'));
    assert.ok(lines.every((l) => /^\d{4}-\d{2}-\d{2}T/.test(l.time)));
    const read = async (opts: { tail?: number; since?: number | string; until?: number | string }) => {
      const got: string[] = [];
      for await (const l of engine.logs(info.id, { ...opts, signal: AbortSignal.timeout(10_000) })) got.push(l.text);
      return got;
    };
    assert.equal((await read({ tail: 1 })).length, 1);
    assert.deepEqual(await read({ since: Math.floor(Date.now() / 1000) + 60 }), []);
    assert.deepEqual(await read({ until: Math.floor(Date.parse(lines[0]!.time) / 1000) - 60 }), []);

    const followed: LogLine[] = [];
    const follow = (async () => {
      for await (const line of engine.logs(info.id, { follow: true, signal: AbortSignal.timeout(40_000) }))
        followed.push(line);
    })();
    await pollUntil(async () => (followed.length >= 2 ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      what: 'the follow stream to replay the lines',
    });
    const t0 = Date.now();
    await engine.stopContainer(info.id, 2);
    await follow;
    assert.ok(Date.now() - t0 < 20_000, 'the follow stream ended soon after the stop');
    await engine.removeContainer(info.id);
  });

  test('stop, then remove: exited, then gone; the endpoint no longer answers', async () => {
    const info = await engine.runContainer(web('eng-stop-web-1', { 'slipway.app': 'stop' }));
    assert.equal(await answers(info, 'the web to answer'), 'ok 1');
    const t0 = Date.now();
    await engine.stopContainer(info.id, 2);
    console.log(`stopContainer: ${Date.now() - t0} ms`);
    const stopped = await engine.inspectContainer(info.id);
    assert.equal(stopped?.state, 'exited');
    assert.equal(stopped?.endpoint, undefined);
    assert.equal(await get(info), undefined, 'nothing answers on the old endpoint');
    const tasks = lab.manager.docker('service', 'ps', info.id, '--format', '{{.DesiredState}} {{.CurrentState}}');
    assert.match(tasks, /^(Shutdown|Remove) Shutdown/, 'one task, shut down: Swarm started no replacement');
    assert.equal(tasks.split('\n').length, 1);
    await engine.stopContainer(info.id, 2); // again: no error
    await engine.removeContainer(info.id);
    assert.equal(await engine.inspectContainer(info.id), null);
    await engine.removeContainer(info.id); // gone: no error
    await engine.stopContainer(info.id, 1);
    assert.deepEqual(await engine.listContainers({ 'slipway.app': 'stop' }), []);
  });

  test('a one-off that exits 3: waitContainer says 3, an event says die 3, the service is not restarted', async () => {
    const events: ContainerEvent[] = [];
    const watching = new AbortController();
    const watch = (async () => {
      for await (const e of engine.containerEvents({
        labels: { 'slipway.app': 'once' },
        actions: ['start', 'die'],
        sinceMs: Date.now() - 1000,
        signal: watching.signal,
      }))
        events.push(e);
    })();
    const info = await engine.runContainer({
      name: 'eng-once-run-1',
      image,
      cmd: ['/bin/sh', '-c', 'sleep 1; exit 3'],
      env: {},
      labels: { 'slipway.managed': 'true', 'slipway.app': 'once', 'slipway.process': 'run' },
    });
    assert.equal(await engine.waitContainer(info.id, AbortSignal.timeout(30_000)), 3);
    const inspected = await engine.inspectContainer(info.id);
    assert.equal(inspected?.state, 'exited');
    assert.equal(inspected?.exitCode, 3);
    const die = await pollUntil(async () => events.find((e) => e.action === 'die'), {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'a die event',
    });
    assert.equal(die.id, info.id);
    assert.equal(die.exitCode, 3);
    assert.equal(die.labels['slipway.app'], 'once');
    watching.abort();
    await watch;
    const tasks = lab.manager.docker('service', 'ps', info.id, '-q').split('\n').filter(Boolean);
    assert.equal(tasks.length, 1, 'restart condition none: one task only');
    await engine.removeContainer(info.id);
  });

  test('a release-like one-off: logs follow to its end, then waitContainer gives 0', async () => {
    const info = await engine.runContainer({
      name: 'eng-rel-release-1',
      image,
      cmd: ['/bin/sh', '-c', 'echo migrating; sleep 1; echo done >&2'],
      env: {},
      labels: { 'slipway.managed': 'true', 'slipway.app': 'rel', 'slipway.process': 'release' },
      placement: ['node.role==worker'],
    });
    const t0 = Date.now();
    const lines: string[] = [];
    for await (const line of engine.logs(info.id, { follow: true, signal: AbortSignal.timeout(30_000) }))
      lines.push(`${line.stream}:${line.text}`);
    assert.deepEqual(lines, ['stdout:migrating', 'stderr:done']);
    assert.equal(await engine.waitContainer(info.id, AbortSignal.timeout(10_000)), 0);
    console.log(`release one-off followed to its end: ${Date.now() - t0} ms`);
    await engine.removeContainer(info.id);
  });

  test('a dyno that crashes: waitContainer gives its code, Swarm restarts it under the same id', async () => {
    const info = await engine.runContainer({
      name: 'eng-crash-worker-1',
      image,
      cmd: ['/bin/sh', '-c', 'sleep 2; exit 5'],
      env: {},
      labels: { 'slipway.managed': 'true', 'slipway.app': 'crash', 'slipway.process': 'worker' },
    });
    assert.equal(info.state, 'running');
    assert.equal(await engine.waitContainer(info.id, AbortSignal.timeout(20_000)), 5);
    await pollUntil(
      async () => {
        const tasks = lab.manager.docker('service', 'ps', info.id, '--format', '{{.CurrentState}}').split('\n');
        return tasks.length >= 2 ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'Swarm to restart the dyno' },
    );
    await engine.removeContainer(info.id);
  });

  test("an image no node has: CONTAINER_FAILED with Swarm's reason, and no service left behind", async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    await assert.rejects(
      engine.runContainer(web('eng-noimg-web-1', { 'slipway.app': 'noimg' }, { image: missing })),
      (err: unknown) => {
        assert.equal((err as { code?: string }).code, 'CONTAINER_FAILED');
        console.log(`missing image: ${(err as Error).message}`);
        return true;
      },
    );
    assert.deepEqual(await engine.listContainers({ 'slipway.app': 'noimg' }), []);
  });

  test('a task whose node dies is rescheduled: inspect reports the new node and a new endpoint', async () => {
    const info = await engine.runContainer(
      web('eng-move-web-1', { 'slipway.app': 'move' }, { placement: ['node.role==worker'] }),
    );
    assert.ok(info.node === 'w1' || info.node === 'w2');
    assert.equal(await answers(info, 'the web to answer'), 'ok 1');
    const events: ContainerEvent[] = [];
    const watching = new AbortController();
    const watch = (async () => {
      for await (const e of engine.containerEvents({ labels: { 'slipway.app': 'move' }, signal: watching.signal }))
        events.push(e);
    })();
    const t0 = Date.now();
    lab.killNode(info.node!);
    const moved = await pollUntil(
      async () => {
        const now = await engine.inspectContainer(info.id);
        return now?.state === 'running' && now.node !== info.node && now.endpoint ? now : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the task to run on another node' },
    );
    console.log(`rescheduled from ${info.node} to ${moved.node}: ${Date.now() - t0} ms`);
    assert.equal(moved.id, info.id, 'the id (service) is stable across reschedules');
    assert.equal(moved.endpoint?.address, lab.node(moved.node!).address);
    assert.equal(await answers(moved, 'the rescheduled web to answer'), 'ok 1');
    // Crash detection: the lost task dies (as if SIGKILLed), then the same id starts again on the other node.
    await pollUntil(async () => (events.some((e) => e.action === 'start') ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'a start event for the new task',
    });
    watching.abort();
    await watch;
    const seen = events.map((e) => `${e.action}:${e.exitCode ?? ''}:${e.id === info.id}`);
    assert.deepEqual(seen, ['die:137:true', 'start::true']);
    await engine.removeContainer(info.id);
  });
});
