import { SlipwayError } from '../core/errors.js';
import type { SwarmNodeDetails } from '../engine/swarm/swarm-task-location.js';
import { ENGINE_LABEL } from '../nodes/node-view.js';
import { nodeSatisfies } from '../nodes/placement.js';

/**
 * Pure: where an interactive one-off (`run -i`) runs on a Swarm. Swarm services cannot be attached to, so it
 * is a plain container on one node's Docker Engine: the manager's (this installation's engine) unless the
 * app's placement for `run` excludes the manager, then a matching node Slipway can reach (`slipway.engine`).
 */

export type RunNode = { on: 'manager' } | { on: 'node'; name: string; engineUrl: string };

export function chooseRunNode(nodes: SwarmNodeDetails[], selfId: string, constraints: string[]): RunNode {
  if (constraints.length === 0) return { on: 'manager' };
  const manager = nodes.find((n) => n.id === selfId);
  // Not a field Slipway sees (node.platform.*, engine.labels.*), or the manager is unknown: Slipway cannot tell.
  if (!manager || nodeSatisfies(manager, constraints) !== false) return { on: 'manager' };
  const rule = `placement for run (${constraints.join(',')})`;
  const fit = (n: SwarmNodeDetails) =>
    n.id !== selfId && n.state === 'ready' && n.availability === 'active' ? nodeSatisfies(n, constraints) : false;
  const byName = (a: SwarmNodeDetails, b: SwarmNodeDetails) => a.name.localeCompare(b.name);
  const matching = [
    ...nodes.filter((n) => fit(n) === true).sort(byName),
    ...nodes.filter((n) => fit(n) === undefined).sort(byName),
  ];
  const reachable = matching.find((n) => n.labels[ENGINE_LABEL]);
  if (reachable) return { on: 'node', name: reachable.name, engineUrl: reachable.labels[ENGINE_LABEL]! };
  if (matching.length === 0)
    throw new SlipwayError('NODE_NOT_FOUND', `no ready node matches the ${rule}, and the manager does not`, {
      hint: "see `slipway nodes`, or change the app's placement.run setting (`slipway apps:settings:set`)",
    });
  const names = matching.map((n) => n.name).join(', ');
  throw new SlipwayError(
    'NODE_UNREACHABLE',
    `the ${rule} puts interactive one-offs on ${names}, whose Docker Slipway cannot reach`,
    {
      hint:
        'join such a node with `slipway nodes:add --engine ssh://USER@HOST` (or unix:// / tcp://), ' +
        'or run the command without -i: `slipway run` works on any node',
      details: { nodes: matching.map((n) => n.name) },
    },
  );
}
