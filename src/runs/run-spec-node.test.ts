import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError } from '../core/errors.js';
import type { SwarmNodeDetails } from '../engine/swarm/swarm-task-location.js';
import { chooseRunNode } from './run-spec-node.js';

const node = (id: string, name: string, over: Partial<SwarmNodeDetails> = {}): SwarmNodeDetails => ({
  id,
  name,
  role: id === 'n1' ? 'manager' : 'worker',
  labels: {},
  state: 'ready',
  availability: 'active',
  ...over,
});
const engine = (url: string) => ({ labels: { 'slipway.engine': url, disk: 'ssd' } });
const nodes = [
  node('n1', 'm1'),
  node('n2', 'w1', engine('ssh://root@w1')),
  node('n3', 'w2', { labels: { disk: 'ssd' } }),
  node('n4', 'w3', { ...engine('unix:///w3.sock'), state: 'down' }),
];

const refused = (fn: () => unknown, code: string, message: RegExp, hint: RegExp) =>
  assert.throws(
    fn,
    (err: unknown) =>
      err instanceof SlipwayError && err.code === code && message.test(err.message) && hint.test(err.hint ?? ''),
  );

test('no placement, one the manager satisfies, or one Slipway cannot check: the manager', () => {
  assert.deepEqual(chooseRunNode(nodes, 'n1', []), { on: 'manager' });
  assert.deepEqual(chooseRunNode(nodes, 'n1', ['node.role==manager']), { on: 'manager' });
  assert.deepEqual(chooseRunNode(nodes, 'n1', ['node.platform.os==linux']), { on: 'manager' });
  assert.deepEqual(chooseRunNode(nodes, 'unknown', ['node.hostname==w1']), { on: 'manager' });
});

test('a placement that excludes the manager: a matching ready node with an endpoint', () => {
  assert.deepEqual(chooseRunNode(nodes, 'n1', ['node.hostname==w1']), {
    on: 'node',
    name: 'w1',
    engineUrl: 'ssh://root@w1',
  });
  assert.deepEqual(chooseRunNode(nodes, 'n1', ['node.labels.disk==ssd']), {
    on: 'node',
    name: 'w1',
    engineUrl: 'ssh://root@w1',
  });
  assert.deepEqual(chooseRunNode(nodes, 'n1', ['node.role!=manager', 'engine.labels.x==y']), {
    on: 'node',
    name: 'w1',
    engineUrl: 'ssh://root@w1',
  });
});

test('matching nodes without an endpoint, or none at all: clear errors', () => {
  refused(
    () => chooseRunNode(nodes, 'n1', ['node.hostname==w2']),
    'NODE_UNREACHABLE',
    /on w2, whose Docker Slipway cannot reach/,
    /nodes:add --engine ssh:\/\/.*without -i/,
  );
  // w3 has an endpoint but is down.
  refused(
    () => chooseRunNode(nodes, 'n1', ['node.hostname==w3']),
    'NODE_NOT_FOUND',
    /no ready node matches/,
    /placement\.run/,
  );
});
