import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError } from '../core/errors.js';
import { LABELS } from '../core/types.js';
import type { ContainerInfo } from '../engine/port.js';
import { execPlace, pickContainer } from './exec-service.js';

const c = (id: string, process: string, index: string, release = 'v3', startedAt = '2026-01-01T00:00:00Z') =>
  ({
    id,
    name: id,
    image: 'img',
    state: 'running',
    createdAt: startedAt,
    startedAt,
    labels: { [LABELS.app]: 'shop', [LABELS.process]: process, [LABELS.index]: index, [LABELS.release]: release },
  }) satisfies ContainerInfo;

const refused = (fn: () => unknown, code: string, message: RegExp, hint: RegExp) =>
  assert.throws(
    fn,
    (err: unknown) =>
      err instanceof SlipwayError && err.code === code && message.test(err.message) && hint.test(err.hint ?? ''),
  );

describe('ps:exec picks a container', () => {
  const running = [c('w2', 'web', '2'), c('old1', 'web', '1', 'v2'), c('w1', 'web', '1'), c('k1', 'worker', '1')];

  it('by default the first web process of the current release (a warm container of an older one comes after)', () => {
    assert.equal(pickContainer('shop', running, 3).id, 'w1');
    assert.equal(pickContainer('shop', [c('old1', 'web', '1', 'v2'), c('w2', 'web', '2')], 3).id, 'w2');
  });

  it('a named process: its current-release container; one-offs by their name too', () => {
    assert.equal(pickContainer('shop', running, 3, 'web.1').id, 'w1');
    assert.equal(pickContainer('shop', running, 3, 'worker.1').id, 'k1');
    assert.equal(pickContainer('shop', [...running, c('r', 'run', 'ab12cd')], 3, 'run.ab12cd').id, 'r');
    refused(
      () => pickContainer('shop', running, 3, 'worker.2'),
      'NOT_FOUND',
      /shop has no running process worker\.2/,
      /running: web\.1, web\.2, worker\.1/,
    );
  });

  it('without web: the only process, else a clear question naming them', () => {
    assert.equal(pickContainer('shop', [c('k1', 'worker', '1'), c('r', 'run', 'ab12cd')], 3).id, 'k1');
    refused(
      () => pickContainer('shop', [c('k1', 'worker', '1'), c('k2', 'worker', '2')], 3),
      'INVALID_INPUT',
      /which process of shop\?/,
      /slipway ps:exec -a shop worker\.1 -- COMMAND/,
    );
    refused(() => pickContainer('shop', [], 3), 'NOT_FOUND', /no running process/, /nothing is running/);
  });
});

describe('ps:exec on a Swarm: where the command runs', () => {
  const at = { nodeId: 'n2', nodeName: 'w1', containerId: 'c'.repeat(64) };

  it('on the manager by container id, on a node with an endpoint through it', () => {
    assert.deepEqual(execPlace({ ...at, isManager: true }), { on: 'manager', containerId: at.containerId });
    assert.deepEqual(execPlace({ ...at, isManager: false, engineUrl: 'ssh://root@w1' }), {
      on: 'node',
      containerId: at.containerId,
      engineUrl: 'ssh://root@w1',
    });
  });

  it('a node joined without an endpoint: NODE_UNREACHABLE naming it, with the way out', () => {
    refused(
      () => execPlace({ ...at, isManager: false }, 'web.2'),
      'NODE_UNREACHABLE',
      /web\.2 runs on node w1/,
      /nodes:add --engine ssh:\/\/.*slipway run/,
    );
  });
});
