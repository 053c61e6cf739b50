import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError } from '../core/errors.js';
import { NodeService } from './node-service.js';
import type { EngineSwarmState, SwarmControl } from './swarm-control.js';

/** A unit test of the service's decisions: a fake engine that records what it was asked to do. */
function fakeEngine(state: Partial<EngineSwarmState>, calls: string[], initError?: Error): SwarmControl {
  const full: EngineSwarmState = {
    localState: 'inactive',
    nodeId: '',
    isManager: false,
    managerAddrs: [],
    liveRestore: false,
    serverVersion: '28.0.0',
    hostname: 'h1',
    cpus: 2,
    memoryBytes: 1 << 30,
    ...state,
  };
  const record = (name: string, value?: unknown) => async (): Promise<never> => {
    calls.push(name);
    if (name === 'init' && initError) throw initError;
    return value as never;
  };
  return {
    where: 'unix:///fake.sock',
    state: async () => full,
    init: record('init', ''),
    workerJoinToken: record('token', 'SWMTKN-1-abc-def'),
    join: record('join'),
    leave: record('leave'),
    nodes: record('nodes', []),
    node: record('node'),
    updateNode: record('updateNode'),
    removeNode: record('removeNode'),
    runningTasks: record('runningTasks', []),
    close: async () => undefined,
  };
}

const code = (c: string, hint: RegExp) => (err: unknown) =>
  err instanceof SlipwayError && err.code === c && hint.test(err.hint ?? '');

test('live-restore on this server: nodes:add refuses with what to change, and creates no Swarm', async () => {
  const calls: string[] = [];
  const nodes = new NodeService({ local: fakeEngine({ liveRestore: true }, calls) });
  await assert.rejects(nodes.add({ advertiseAddr: '10.0.0.1' }), code('SWARM_INCOMPATIBLE', /live-restore": false/));
  assert.deepEqual(calls, []);
});

test('a joining engine already in a Swarm, or with live-restore, is refused before the Swarm is created', async () => {
  for (const remoteState of [{ localState: 'active' }, { liveRestore: true }]) {
    const calls: string[] = [];
    const remoteCalls: string[] = [];
    const nodes = new NodeService({
      local: fakeEngine({}, calls),
      connect: async () => fakeEngine(remoteState, remoteCalls),
    });
    await assert.rejects(
      nodes.add({ engine: 'unix:///n2.sock' }),
      code('SWARM_INCOMPATIBLE', /swarm leave|live-restore/),
    );
    assert.deepEqual(calls, []);
    assert.deepEqual(remoteCalls, []);
  }
});

test('Docker cannot pick an address: the error asks for --advertise-addr', async () => {
  const calls: string[] = [];
  const err = new Error('could not choose an IP address to advertise since this system has multiple addresses');
  const nodes = new NodeService({ local: fakeEngine({}, calls, err) });
  await assert.rejects(nodes.add({}), code('INVALID_INPUT', /--advertise-addr/));
});

test('node commands on one host with plain Docker explain how to add a server', async () => {
  const nodes = new NodeService({ local: fakeEngine({}, []) });
  await assert.rejects(nodes.drain('w1'), code('INVALID_INPUT', /nodes:add/));
  const list = await nodes.list();
  assert.deepEqual(
    list.nodes.map((n) => [n.name, n.self, n.cpus]),
    [['h1', true, 2]],
  );
});

test('nodes shows the HAProxy of each node: the manager, each ingress node by state, why a set-up failed', async () => {
  const node = (id: string, name: string, labels: Record<string, string> = {}) => ({
    id,
    name,
    address: `10.0.0.${id}`,
    role: 'worker' as const,
    state: 'ready',
    availability: 'active' as const,
    leader: false,
    labels,
    engineVersion: '28.0.0',
    cpus: 2,
    memoryBytes: 1 << 30,
  });
  const engine = fakeEngine({ localState: 'active', isManager: true, nodeId: '1' }, []);
  engine.nodes = async () => [
    node('1', 'm1'),
    node('2', 'w1'),
    node('3', 'w2', { 'slipway.ingress': 'true' }),
    node('4', 'w3', { 'slipway.ingress': 'true' }),
  ];
  const setup: { problem?: string } = {};
  const nodes = new NodeService({
    local: engine,
    ingressStates: () => [{ node: 'w2', state: 'in' }],
    ingressProblem: () => setup.problem,
  });
  const ingress = async () => (await nodes.list()).nodes.map((n) => [n.name, n.ingress, n.ingressProblem]);
  assert.deepEqual(await ingress(), [
    ['m1', 'manager', undefined],
    ['w1', undefined, undefined],
    ['w2', 'in', undefined],
    ['w3', 'starting', undefined],
  ]);
  setup.problem = 'the ingress image could not be built from debian:bookworm-slim';
  assert.deepEqual((await ingress())[3], ['w3', 'failed', setup.problem]);
});
