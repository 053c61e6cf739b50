import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pollUntil } from '../../src/core/abort.js';
import { SlipwayError } from '../../src/core/errors.js';
import { DockerSwarmControl } from '../../src/nodes/docker-swarm-control.js';
import { NodeService } from '../../src/nodes/node-service.js';
import { SwarmLab } from './swarm-lab.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiServer, listen } from '../../src/server/http-server.js';
import { nodeRoutes } from '../../src/server/node-routes.js';
import { loopbackHosts } from '../../src/server/request-guard.js';
import { runCli } from '../../src/cli/main.js';
import { chmodSync, readFileSync } from 'node:fs';
import { shellQuote } from '../../src/cli/shell-quote.js';
import { connectEngine } from '../../src/nodes/engine-connect.js';

/**
 * `slipway nodes:*` against three real, un-joined dockerds: m1 plays this installation's engine,
 * w1 joins through its Docker endpoint (--engine), w2 through the printed join command's token.
 */
describe('nodes: add, list, label, drain, activate, remove on a real Swarm', () => {
  let lab: SwarmLab;
  let nodes: NodeService;
  let image: string;
  let server: http.Server | undefined;
  let home: string | undefined;
  const savedHome = process.env['SLIPWAY_HOME'];

  before(async () => {
    lab = await SwarmLab.start({ names: ['m1', 'w1', 'w2'], swarm: false });
    image = lab.importBusyboxWeb('slipway-lab/web:1');
    const local = new DockerSwarmControl({ socketPath: lab.manager.socket });
    nodes = new NodeService({ local, settleTimeoutMs: 60_000, drainTimeoutMs: 60_000 });
  });

  after(async () => {
    server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
    if (savedHome === undefined) delete process.env['SLIPWAY_HOME'];
    else process.env['SLIPWAY_HOME'] = savedHome;
    await lab?.destroy();
  });

  /** The CLI against an in-process API server with only the node routes (the CLI finds it through SLIPWAY_HOME). */
  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    if (!server) {
      home = mkdtempSync(join(tmpdir(), 'slipway-nodes-cli-'));
      const token = 'test-token-nodes';
      server = createApiServer(nodeRoutes(nodes), { token, allowedHosts: [] });
      await listen(server, 0);
      const port = (server.address() as AddressInfo).port;
      server.close();
      server = createApiServer(nodeRoutes(nodes), { token, allowedHosts: loopbackHosts(port) });
      await listen(server, port);
      writeFileSync(join(home, 'token'), `${token}\n`);
      writeFileSync(join(home, 'api.json'), JSON.stringify({ url: `http://127.0.0.1:${port}` }));
      process.env['SLIPWAY_HOME'] = home;
    }
    let out = '';
    let err = '';
    const code = await runCli(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    return { code, out, err };
  }

  const swarmState = (name: string) => lab.node(name).docker('info', '--format', '{{.Swarm.LocalNodeState}}');

  async function rejects(p: Promise<unknown>, code: string): Promise<SlipwayError> {
    const err = await p.then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof SlipwayError, String(err));
    assert.equal(err.code, code, err.message);
    assert.ok(err.hint, `a hint for ${err.message}`);
    return err;
  }

  test('one host with plain Docker: nodes lists it alone; node commands explain there are no nodes yet', async () => {
    const list = await nodes.list();
    assert.equal(list.swarm, false);
    assert.equal(list.nodes.length, 1);
    assert.equal(list.nodes[0]!.name, 'm1');
    assert.ok(list.nodes[0]!.cpus > 0 && list.nodes[0]!.memoryBytes > 0 && list.nodes[0]!.engineVersion);
    await rejects(nodes.drain('w1'), 'INVALID_INPUT');
  });

  test('bad engine URLs and addresses are refused and nothing changes', async () => {
    for (const engine of [
      'ftp://x',
      'ssh://-oProxyCommand=x',
      'tcp://a b:1',
      'unix://relative',
      'https://x:2376',
      '',
    ]) {
      const err = await rejects(nodes.add({ engine, advertiseAddr: lab.manager.address }), 'INVALID_INPUT');
      assert.match(err.hint!, /unix|ssh|--engine/);
    }
    await rejects(nodes.add({ engine: lab.node('w1').host, advertiseAddr: 'not an address' }), 'INVALID_INPUT');
    // An engine nobody answers at: refused before the Swarm is created.
    await rejects(nodes.add({ engine: 'unix:///tmp/nothing-here.sock' }), 'DOCKER_UNAVAILABLE');
    assert.equal(swarmState('m1'), 'inactive');
    assert.equal(swarmState('w1'), 'inactive');
  });

  test('add --engine turns the installation into a Swarm and joins the node', async () => {
    const t0 = Date.now();
    const result = await nodes.add({ engine: lab.node('w1').host, advertiseAddr: lab.manager.address });
    assert.equal(result.initialized, true);
    assert.equal(result.managerAddr, `${lab.manager.address}:2377`);
    assert.equal(result.node?.name, 'w1');
    assert.equal(result.node?.engine, lab.node('w1').host);
    assert.equal(result.joinCommand, undefined);
    assert.equal(swarmState('m1'), 'active');
    assert.equal(swarmState('w1'), 'active');
    console.log(`# init + join: ${Date.now() - t0} ms`);
  });

  test('a node reached by its engine alone is made to trust the registry CA; nothing is left on it', async () => {
    const server = '10.254.254.254:5999';
    const dir = `/etc/docker/certs.d/${server}`;
    const caPem = readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8').split(
      /(?<=-----END CERTIFICATE-----\n)/,
    )[0]!;
    const w1 = new DockerSwarmControl({ socketPath: lab.node('w1').socket });
    try {
      await w1.installRegistryCa({ server, caPem });
      assert.equal(readFileSync(`${dir}/ca.crt`, 'utf8'), caPem);
      assert.equal(lab.node('w1').docker('ps', '-aq', '--filter', 'name=slipway-trust'), '');
      assert.equal(lab.node('w1').docker('images', '-q', 'slipway/trust-carrier'), '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('add again: the engine already in the Swarm is refused', async () => {
    await rejects(nodes.add({ engine: lab.node('w1').host }), 'SWARM_INCOMPATIBLE');
  });

  test('add without --engine prints one line whose token joins a server', async () => {
    const result = await nodes.add({});
    assert.equal(result.initialized, false);
    const line = result.joinCommand!;
    assert.equal(line.includes('\n'), false);
    const m = /docker swarm join --token '(SWMTKN-[^']+)' '([^']+)'$/.exec(line);
    assert.ok(m, line);
    assert.match(line, /apt-get install -y docker\.io/);
    // Run only the join part, against the lab node (never the host's own dockerd).
    lab.node('w2').docker('swarm', 'join', '--token', m[1]!, m[2]!);
    await lab.waitReady(3);
  });

  test('nodes lists every node with role, state, availability, tasks, CPU, memory and Docker version', async () => {
    const { swarm, nodes: list } = await nodes.list();
    assert.equal(swarm, true);
    const byName = Object.fromEntries(list.map((n) => [n.name, n]));
    assert.deepEqual(Object.keys(byName).sort(), ['m1', 'w1', 'w2']);
    assert.equal(byName['m1']!.role, 'manager');
    assert.equal(byName['m1']!.self, true);
    assert.equal(byName['m1']!.leader, true);
    assert.equal(byName['w1']!.role, 'worker');
    assert.equal(byName['w2']!.engine, undefined);
    const version = lab.manager.docker('version', '--format', '{{.Server.Version}}');
    for (const n of list) {
      assert.equal(n.state, 'ready');
      assert.equal(n.availability, 'active');
      assert.equal(n.tasks, 0);
      assert.ok(n.cpus > 0 && n.memoryBytes > 0);
      assert.equal(n.engineVersion, version);
      assert.equal(Object.keys(n.labels).length, 0, 'slipway.engine is bookkeeping, not shown as a label');
    }
    assert.equal(byName['w1']!.address, lab.node('w1').address);
  });

  test('the CLI end to end: nodes (table, --json), nodes:label, errors with a hint and a non-zero exit', async () => {
    const table = await cli('nodes');
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /^NAME +ADDRESS +ROLE +STATE +AVAILABILITY +TASKS +CPU +MEMORY +DOCKER +INGRESS +LABELS/m);
    assert.match(table.out, /^m1 \(this\) +\S+ +manager \(leader\) +ready +active +0 /m);
    assert.match(table.out, /^w1 +\S+ +worker +ready +active +0 +\d+ +[\d.]+ GiB /m);
    const json = await cli('nodes', '--json');
    assert.equal(json.code, 0);
    assert.equal((JSON.parse(json.out) as { nodes: unknown[] }).nodes.length, 3);
    const labelled = await cli('nodes:label', 'w2', 'zone=a', '--json');
    assert.equal(labelled.code, 0, labelled.err);
    assert.deepEqual((JSON.parse(labelled.out) as { node: { labels: unknown } }).node.labels, { zone: 'a' });
    assert.equal((await cli('nodes:label', 'w2', 'zone-')).code, 0);
    const unknown = await cli('nodes:drain', 'nope');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.err, /no node "nope"/);
    assert.match(unknown.err, /m1/);
    const badEngine = await cli('nodes:add', '--engine', 'ftp://x');
    assert.notEqual(badEngine.code, 0);
    assert.match(badEngine.err, /unsupported Docker endpoint/);
    const plan = await cli('nodes:rebalance', '--json');
    assert.equal(plan.code, 0, plan.err);
    assert.deepEqual((JSON.parse(plan.out) as { result: unknown }).result, {
      services: [],
      applied: false,
      moved: 0,
      remaining: [],
    });
  });

  test('labels: set, remove; bad labels and unknown nodes are refused and nothing changes', async () => {
    let w1 = await nodes.label('w1', ['region=eu', 'disk=ssd']);
    assert.deepEqual(w1.labels, { region: 'eu', disk: 'ssd' });
    w1 = await nodes.label('w1', ['disk-', 'tier=web']);
    assert.deepEqual(w1.labels, { region: 'eu', tier: 'web' });
    w1 = await nodes.label('w1', ['tier=']);
    assert.deepEqual(w1.labels, { region: 'eu' });
    await rejects(nodes.label('w1', ['bad key=1']), 'INVALID_INPUT');
    await rejects(nodes.label('w1', ['ok=has space']), 'INVALID_INPUT');
    await rejects(nodes.label('w1', ['slipway.engine=x']), 'INVALID_INPUT');
    await rejects(nodes.label('w1', ['justaword']), 'INVALID_INPUT');
    await rejects(nodes.label('nope', ['a=b']), 'NODE_NOT_FOUND');
    await rejects(nodes.drain('nope'), 'NODE_NOT_FOUND');
    await rejects(nodes.remove('../etc'), 'INVALID_INPUT');
    const raw = lab.manager.docker('node', 'inspect', 'w1', '--format', '{{json .Spec.Labels}}');
    assert.deepEqual(JSON.parse(raw), { region: 'eu', 'slipway.engine': lab.node('w1').host });
  });

  test('drain moves the tasks away, then activate', async () => {
    lab.manager.docker(
      'service',
      'create',
      '--detach',
      '--stop-grace-period',
      '1s',
      '--name',
      'spread',
      '--replicas',
      '3',
      '--constraint',
      'node.role==worker',
      image,
    );
    await pollUntil(
      async () => {
        const { nodes: list } = await nodes.list();
        const on = (n: string) => list.find((x) => x.name === n)!.tasks;
        return on('w1') + on('w2') === 3 && on('w1') > 0 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'three tasks running, some on w1' },
    );
    const t0 = Date.now();
    const drained = await nodes.drain('w1');
    assert.equal(drained.node.availability, 'drain');
    assert.equal(drained.node.tasks, 0);
    assert.equal(lab.node('w1').docker('ps', '-q'), '', 'no container still runs on the drained node');
    console.log(`# drain: ${Date.now() - t0} ms`);
    await pollUntil(async () => ((await nodes.get('w2')).tasks === 3 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the three tasks on w2',
    });
    const active = await nodes.activate('w1');
    assert.equal(active.availability, 'active');
    lab.manager.docker('service', 'rm', 'spread');
  });

  test('remove is refused while a task runs there, allowed with --force; the node leaves the Swarm', async () => {
    lab.manager.docker(
      'service',
      'create',
      '--detach',
      '--stop-grace-period',
      '1s',
      '--name',
      'pinned',
      '--constraint',
      'node.hostname==w1',
      image,
    );
    await pollUntil(async () => ((await nodes.get('w1')).tasks === 1 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the pinned task on w1',
    });
    const err = await rejects(nodes.remove('w1'), 'NODE_BUSY');
    assert.match(err.hint!, /nodes:drain w1|--force/);
    assert.equal((await nodes.get('w1')).state, 'ready');
    await rejects(nodes.remove('m1', { force: true }), 'INVALID_INPUT');
    const t0 = Date.now();
    await nodes.remove('w1', { force: true });
    console.log(`# remove --force: ${Date.now() - t0} ms`);
    const names = (await nodes.list()).nodes.map((n) => n.name).sort();
    assert.deepEqual(names, ['m1', 'w2']);
    assert.equal(swarmState('w1'), 'inactive');
    lab.manager.docker('service', 'rm', 'pinned');
  });

  test('a node Slipway holds no endpoint to: refused while up; after it leaves, removed', async () => {
    await pollUntil(async () => ((await nodes.get('w2')).tasks === 0 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the removed services to stop on w2',
    });
    const err = await rejects(nodes.remove('w2'), 'NODE_BUSY');
    assert.match(err.message, /still up/);
    // It leaves while a task runs there: once down, the stale task does not block the removal.
    lab.manager.docker(
      'service',
      'create',
      '--detach',
      '--stop-grace-period',
      '1s',
      '--name',
      'late',
      '--constraint',
      'node.hostname==w2',
      image,
    );
    await pollUntil(async () => ((await nodes.get('w2')).tasks === 1 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'a task on w2',
    });
    lab.node('w2').docker('swarm', 'leave', '--force');
    await pollUntil(async () => ((await nodes.get('w2')).state === 'down' ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'w2 down',
    });
    await nodes.remove('w2');
    lab.manager.docker('service', 'rm', 'late');
    assert.deepEqual(
      (await nodes.list()).nodes.map((n) => n.name),
      ['m1'],
    );
  });

  test('add --engine ssh://: joined through `ssh HOST docker system dial-stdio`; remove makes it leave the same way', async () => {
    // A stand-in for ssh (no sshd here): it records its argv, then dials the lab node's Docker on stdio.
    home ??= mkdtempSync(join(tmpdir(), 'slipway-nodes-cli-'));
    const fakeSsh = join(home, 'fake-ssh');
    const argvFile = join(home, 'ssh-argv');
    writeFileSync(
      fakeSsh,
      `#!/bin/sh\nprintf '%s\\n' "$@" > ${shellQuote(argvFile)}\n` +
        `exec docker -H ${shellQuote(lab.node('w2').host)} system dial-stdio\n`,
    );
    chmodSync(fakeSsh, 0o755);
    const viaSsh = new NodeService({
      local: new DockerSwarmControl({ socketPath: lab.manager.socket }),
      connect: (engine) => connectEngine(engine, { sshBin: fakeSsh }),
    });
    const t0 = Date.now();
    const result = await viaSsh.add({ engine: 'ssh://root@w2.example:2222' });
    console.log(`# join over ssh bridge: ${Date.now() - t0} ms`);
    assert.equal(result.initialized, false);
    assert.equal(result.node?.name, 'w2');
    assert.equal(result.node?.engine, 'ssh://root@w2.example:2222');
    assert.deepEqual(readFileSync(argvFile, 'utf8').trim().split('\n'), [
      ...['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-p', '2222', '-l', 'root', '--', 'w2.example'],
      ...['docker', 'system', 'dial-stdio'],
    ]);
    assert.equal(swarmState('w2'), 'active');
    await viaSsh.remove('w2');
    assert.equal(swarmState('w2'), 'inactive');
    assert.deepEqual(
      (await viaSsh.list()).nodes.map((n) => n.name),
      ['m1'],
    );
  });
});
