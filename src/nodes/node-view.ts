import { SlipwayError } from '../core/errors.js';
import { userLabels } from './node-labels.js';
import type { EngineSwarmState, SwarmNode } from './swarm-control.js';

/** What `slipway nodes` shows of a node, and the errors of nodes:add that explain the engine's state. */

export const ENGINE_LABEL = 'slipway.engine';

export interface NodeView extends Omit<SwarmNode, 'labels'> {
  labels: Record<string, string>;
  /** Running tasks on the node. */
  tasks: number;
  /** This installation's own engine. */
  self: boolean;
  /** The Docker endpoint Slipway joined it through, when it did. */
  engine?: string;
  /** Its HAProxy: `manager` (this server's), or for a node labelled slipway.ingress=true in/joining/lost/starting. */
  ingress?: string;
  /** Why its HAProxy could not be set up (ingress `failed`). */
  ingressProblem?: string;
}

export interface NodeList {
  /** False while this installation is one host with plain Docker. */
  swarm: boolean;
  nodes: NodeView[];
}

export function isManagerOf(state: EngineSwarmState): boolean {
  return state.localState === 'active' && state.isManager;
}

export function viewOf(node: SwarmNode, tasks: number, selfId: string): NodeView {
  const engine = node.labels[ENGINE_LABEL];
  return { ...node, labels: userLabels(node.labels), tasks, self: node.id === selfId, ...(engine ? { engine } : {}) };
}

export function standaloneView(state: EngineSwarmState): NodeView {
  return {
    id: '',
    name: state.hostname,
    address: '',
    role: 'manager',
    state: 'ready',
    availability: 'active',
    leader: true,
    labels: {},
    engineVersion: state.serverVersion,
    cpus: state.cpus,
    memoryBytes: state.memoryBytes,
    tasks: 0,
    self: true,
  };
}

/**
 * This machine's dockerd has live-restore on, and Swarm refuses it. Slipway does not edit the daemon's
 * configuration itself: daemon.json is the administrator's (other settings live there, a bad write
 * stops Docker on its next start), and live-restore off changes what a dockerd restart does to every
 * running container. So: refuse, and say exactly what to change.
 */
export function liveRestoreError(): SlipwayError {
  return new SlipwayError('SWARM_INCOMPATIBLE', "this server's Docker has live-restore enabled, which Swarm refuses", {
    hint:
      'set "live-restore": false in /etc/docker/daemon.json and reload Docker (`kill -HUP $(pidof dockerd)`: ' +
      'containers keep running), then run nodes:add again',
  });
}

export function initError(err: unknown): unknown {
  const message = err instanceof Error ? err.message : String(err);
  if (/could not choose an IP address|advertise address/i.test(message))
    return new SlipwayError('INVALID_INPUT', `Swarm needs this server's address: ${message}`, {
      hint: 'pass --advertise-addr ADDR (the address other servers reach this one at)',
      cause: err,
    });
  if (/live-restore/i.test(message)) return liveRestoreError();
  return err;
}
