import { INGRESS_NODE_LABEL } from './ingress/ingress-requests.js';
import { pollUntil } from '../core/abort.js';
import { SlipwayError } from '../core/errors.js';
import { ONE_OFF_PROCESSES } from '../core/types.js';
import { connectEngine } from './engine-connect.js';
import { checkAdvertiseAddr, dockerEndpointFrom, type ParsedEngine } from './docker-endpoint.js';
import { joinCommand, type RegistryTrust } from './join-command.js';
import type { DockerTls } from '../engine/docker-http.js';
import type { EngineTlsStore } from './engine-tls-store.js';
import { applyLabelChanges, parseLabelChanges } from './node-labels.js';
import { stage, type EventSink } from '../core/events.js';
import {
  applyRebalance,
  moveDynosOff,
  planDynoRebalance,
  resumePausedNodes,
  type DynoMover,
  type MoveOffResult,
  type RebalanceResult,
} from './node-moves.js';
import type { EngineSwarmState, NodeAvailability, SwarmControl, SwarmNode } from './swarm-control.js';
import {
  ENGINE_LABEL,
  initError,
  isManagerOf,
  liveRestoreError,
  standaloneView,
  viewOf,
  type NodeList,
  type NodeView,
} from './node-view.js';

export { ENGINE_LABEL, type NodeList, type NodeView } from './node-view.js';

/**
 * `slipway nodes:*`: the servers of this installation. One host with plain Docker is the default;
 * the first `nodes:add` turns this installation's engine into a Swarm manager. Swarm is the source
 * of truth for nodes; the one thing Slipway keeps is the Docker endpoint of a node it joined itself,
 * as the node label `slipway.engine` (so `nodes:remove` can make that node leave).
 * Input is checked before anything changes; every wait has a timeout.
 */

const SWARM_PORT = 2377;

export interface AddOptions {
  /** `--engine`: the new node's Docker endpoint; without it the result is the command to run there. */
  engine?: string;
  /** `--advertise-addr`: this manager's address, used when this call creates the Swarm. */
  advertiseAddr?: string;
  /** With a `tcp://` engine: TLS (the CA of the engine's certificate, this client's certificate and key, PEM). */
  tls?: DockerTls;
  signal?: AbortSignal;
}

export interface AddResult {
  /** This call turned the installation into a Swarm. */
  initialized: boolean;
  /** The joined node (with `--engine`). */
  node?: NodeView;
  /** The line to run on the new server (without `--engine`); contains the join token, a secret. */
  joinCommand?: string;
  managerAddr: string;
}

export interface DrainResult extends MoveOffResult {
  node: NodeView;
}

/** Without a deploy side: dynos are recognised by their labels alone, and nothing is moved. */
const noMover: DynoMover = {
  dynoOf: (labels) => {
    const app = labels['slipway.app'];
    const process = labels['slipway.process'];
    return app && process && !ONE_OFF_PROCESSES.has(process) ? { app, process, warm: false } : undefined;
  },
  replace: () => Promise.reject(new Error('no deploy side to move dynos with')),
  retireWarm: async () => {},
  placementOf: () => [],
};

export interface NodeServiceOptions {
  /** This installation's engine. */
  local: SwarmControl;
  /** Opens another engine (`--engine`); the default speaks the Docker API (over ssh for ssh://). */
  connect?: (engine: ParsedEngine) => Promise<SwarmControl>;
  /**
   * The zero-downtime move of dynos (drain, rebalance): replacements start elsewhere and are UP before the old
   * ones drain. Without it, drain leaves the node's tasks to Swarm (which stops them first) and rebalance plans.
   */
  mover?: DynoMover;
  /** Called once this installation has become a Swarm (after `swarm init`): the server switches engines. */
  onSwarmStarted?: () => Promise<void>;
  /** Where the client certificates of nodes joined over TLS are kept (sealed); without it they are not kept. */
  tlsStore?: Pick<EngineTlsStore, 'save' | 'load' | 'remove'>;
  /** Slipway's registry and its CA, once it runs: the printed join command makes the new server trust it. */
  registryTrust?: () => RegistryTrust | undefined;
  /** Called after a successful `nodes:add` (the running apps can move onto the Swarm now). */
  afterAdd?: () => void;
  /** How the HAProxy of each ingress node is doing (by node name), for `nodes`. */
  ingressStates?: () => Array<{ node: string; state: string }>;
  /** Why the ingress HAProxy could not be set up (shown on the labelled nodes), if it could not. */
  ingressProblem?: () => string | undefined;
  /** How long drain waits for the node's tasks to stop (default 5 min) and joins/leaves to settle (60 s). */
  drainTimeoutMs?: number;
  settleTimeoutMs?: number;
  pollIntervalMs?: number;
}

/**
 * A node labelled slipway.ingress=true: its HAProxy is `in` (takes every route change), `joining`, `lost`
 * (unreachable), or `starting` (Swarm has not started it yet, or it has not answered). The manager's own
 * HAProxy is the one Slipway runs on the host.
 */
function withIngress(
  view: NodeView,
  ingress: { states: Array<{ node: string; state: string }>; problem: string | undefined },
): NodeView {
  if (view.self) return { ...view, ingress: 'manager' };
  if (view.labels[INGRESS_NODE_LABEL] !== 'true') return view;
  const state = ingress.states.find((s) => s.node === view.name)?.state;
  if (state) return { ...view, ingress: state };
  return ingress.problem
    ? { ...view, ingress: 'failed', ingressProblem: ingress.problem }
    : { ...view, ingress: 'starting' };
}

export class NodeService {
  private readonly local: SwarmControl;
  private readonly connect: (engine: ParsedEngine) => Promise<SwarmControl>;
  private readonly mover: DynoMover | undefined;
  private readonly onSwarmStarted: () => Promise<void>;
  private readonly afterAdd: () => void;
  private readonly ingressStates: () => Array<{ node: string; state: string }>;
  private readonly ingressProblem: () => string | undefined;
  private readonly registryTrust: () => RegistryTrust | undefined;
  private readonly tlsStore: NodeServiceOptions['tlsStore'];
  private readonly drainTimeoutMs: number;
  private readonly settleTimeoutMs: number;
  private readonly pollIntervalMs: number;

  constructor(opts: NodeServiceOptions) {
    this.local = opts.local;
    this.connect = opts.connect ?? ((engine) => connectEngine(engine));
    this.mover = opts.mover;
    this.onSwarmStarted = opts.onSwarmStarted ?? (async () => {});
    this.afterAdd = opts.afterAdd ?? (() => {});
    this.ingressStates = opts.ingressStates ?? (() => []);
    this.ingressProblem = opts.ingressProblem ?? (() => undefined);
    this.registryTrust = opts.registryTrust ?? (() => undefined);
    this.tlsStore = opts.tlsStore;
    this.drainTimeoutMs = opts.drainTimeoutMs ?? 5 * 60_000;
    this.settleTimeoutMs = opts.settleTimeoutMs ?? 60_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 250;
  }

  async list(signal?: AbortSignal): Promise<NodeList> {
    const state = await this.local.state(signal);
    if (!isManagerOf(state)) return { swarm: false, nodes: [standaloneView(state)] };
    const [nodes, tasks] = await Promise.all([this.local.nodes(signal), this.local.runningTasks(signal)]);
    const ingress = { states: this.ingressStates(), problem: this.ingressProblem() };
    return {
      swarm: true,
      nodes: nodes.map((n) =>
        withIngress(viewOf(n, tasks.filter((t) => t.nodeId === n.id).length, state.nodeId), ingress),
      ),
    };
  }

  async get(name: string, signal?: AbortSignal): Promise<NodeView> {
    const state = await this.managerState(signal);
    const node = await this.find(name, signal);
    return viewOf(node, await this.tasksOn(node.id, signal), state.nodeId);
  }

  /** Creates the Swarm when there is none, then joins `engine` or returns the command to run on the new server. */
  async add(opts: AddOptions): Promise<AddResult> {
    const { signal } = opts;
    if (opts.tls && opts.engine === undefined)
      throw new SlipwayError('INVALID_INPUT', 'TLS certificates go with --engine tcp://HOST:PORT', {
        hint: 'slipway nodes:add --engine tcp://10.0.0.2:2376 --tls-dir DIR',
      });
    const engine = opts.engine === undefined ? undefined : dockerEndpointFrom(opts.engine, opts.tls);
    const advertiseAddr = opts.advertiseAddr === undefined ? undefined : checkAdvertiseAddr(opts.advertiseAddr);
    const state = await this.local.state(signal);
    const needsInit = state.localState === 'inactive';
    if (!needsInit && !isManagerOf(state))
      throw new SlipwayError('SWARM_INCOMPATIBLE', `this installation's engine is in Swarm state ${state.localState}`, {
        hint: 'it must be a Swarm manager (or in no Swarm at all); see `docker info` on this server',
      });
    if (needsInit && state.liveRestore) throw liveRestoreError();
    if (!engine) {
      const manager = await this.ensureSwarm(needsInit, advertiseAddr, signal);
      const token = await this.local.workerJoinToken(signal);
      this.afterAdd();
      const line = joinCommand(token, manager, this.registryTrust());
      return { initialized: needsInit, joinCommand: line, managerAddr: manager };
    }
    const remote = await this.connect(engine);
    try {
      await this.checkJoinable(remote, engine.url, signal);
      const manager = await this.ensureSwarm(needsInit, advertiseAddr, signal);
      // The node pulls from Slipway's registry: it trusts its CA before it can be given a task.
      const trust = this.registryTrust();
      if (trust && remote.installRegistryCa) await remote.installRegistryCa(trust, signal);
      const node = await this.join(remote, engine.url, manager, signal);
      if (engine.endpoint && 'host' in engine.endpoint && engine.endpoint.tls)
        this.tlsStore?.save(engine.url, engine.endpoint.tls);
      this.afterAdd();
      return { initialized: needsInit, node, managerAddr: manager };
    } finally {
      await remote.close();
    }
  }

  /** Creates the Swarm when there is none; returns the manager's `ADDR:2377`. */
  private async ensureSwarm(needsInit: boolean, advertiseAddr: string | undefined, signal?: AbortSignal) {
    if (needsInit) {
      try {
        const spec = { listenAddr: `0.0.0.0:${SWARM_PORT}`, ...(advertiseAddr ? { advertiseAddr } : {}) };
        await this.local.init(spec, signal);
      } catch (err) {
        throw initError(err);
      }
      await this.onSwarmStarted();
    }
    const manager = await this.managerState(signal);
    return manager.managerAddrs[0] ?? `${advertiseAddr}:${SWARM_PORT}`;
  }

  private async join(remote: SwarmControl, url: string, managerAddr: string, signal?: AbortSignal): Promise<NodeView> {
    const token = await this.local.workerJoinToken(signal);
    await remote.join({ remoteAddrs: [managerAddr], joinToken: token, listenAddr: `0.0.0.0:${SWARM_PORT}` }, signal);
    const joined = await remote.state(signal);
    const node = await pollUntil(
      async () => {
        const n = await this.local.node(joined.nodeId, signal);
        return n?.state === 'ready' ? n : undefined;
      },
      { ...this.waitOpts(this.settleTimeoutMs, signal), what: `node ${joined.hostname} to be Ready in the Swarm` },
    );
    await this.local.updateNode(node.id, { labels: { ...node.labels, [ENGINE_LABEL]: url } }, signal);
    return this.get(node.id, signal);
  }

  /**
   * Pauses the node (nothing new lands there), moves its dynos to the other nodes with zero downtime, then marks
   * it drained and waits until no task runs there (Swarm stops what is left: one-offs). On failure the node gets
   * its availability back; dynos already moved stay where they are.
   */
  async drain(name: string, opts: { emit?: EventSink; signal?: AbortSignal } = {}): Promise<DrainResult> {
    const { signal } = opts;
    const emit = opts.emit ?? (() => {});
    const view = await this.get(name, signal);
    const before = view.availability;
    let moves: MoveOffResult = { moved: 0, retired: 0, others: 0 };
    try {
      if (this.mover && before === 'active') await this.setAvailability(view.id, 'pause', signal);
      if (this.mover) moves = await moveDynosOff(this.local, this.mover, view, emit, signal);
      await this.setAvailability(view.id, 'drain', signal);
    } catch (err) {
      if (before !== 'drain') await this.setAvailability(view.id, before, AbortSignal.timeout(30_000)).catch(() => {});
      throw err;
    }
    await stage(emit, 'drain', `wait for the tasks left on ${view.name} to stop`, () =>
      pollUntil(async () => ((await this.tasksOn(view.id, signal)) === 0 ? true : undefined), {
        ...this.waitOpts(this.drainTimeoutMs, signal),
        what: `the tasks on node ${view.name} to stop`,
        hint: `see \`docker node ps ${view.name}\`; a task pinned to this node (placement) has nowhere else to go`,
      }),
    );
    return { node: await this.get(view.id, signal), ...moves };
  }

  async activate(name: string, signal?: AbortSignal): Promise<NodeView> {
    const view = await this.get(name, signal);
    await this.setAvailability(view.id, 'active', signal);
    return this.get(view.id, signal);
  }

  /** Removes a worker (refused while tasks run there unless `force`); one Slipway joined also leaves the Swarm. */
  async remove(name: string, opts: { force?: boolean; signal?: AbortSignal } = {}): Promise<NodeView> {
    const { signal } = opts;
    const force = opts.force === true;
    const view = await this.get(name, signal);
    if (view.self || view.role === 'manager')
      throw new SlipwayError(
        'INVALID_INPUT',
        `node ${view.name} is a manager${view.self ? ' (this installation)' : ''}`,
        {
          hint: view.self
            ? 'this installation cannot remove itself'
            : `demote it first: \`docker node demote ${view.name}\``,
        },
      );
    // A node that is down reports its last tasks as running forever; Swarm has already replaced them.
    if (view.tasks > 0 && view.state !== 'down' && !force)
      throw new SlipwayError('NODE_BUSY', `node ${view.name} still runs ${view.tasks} task(s)`, {
        hint: `drain it first (\`slipway nodes:drain ${view.name}\`), or remove it anyway with --force`,
        details: { tasks: view.tasks },
      });
    const left = view.engine ? await this.leave(view, force, signal) : false;
    if (!left && view.state !== 'down' && !force)
      throw new SlipwayError('NODE_BUSY', `node ${view.name} is still up and Slipway holds no endpoint to it`, {
        hint: `run \`docker swarm leave\` on ${view.name} first, or remove it anyway with --force`,
      });
    // A node that left (its own engine said so) is only a record now: removing it needs force, safely.
    await this.local.removeNode(view.id, force || left, signal);
    if (view.engine) this.tlsStore?.remove(view.engine);
    return view;
  }

  /** `k=v` sets, `k-` or `k=` removes; Slipway's own labels are kept. */
  async label(name: string, words: string[], signal?: AbortSignal): Promise<NodeView> {
    const changes = parseLabelChanges(words);
    const view = await this.get(name, signal);
    const node = await this.find(view.id, signal);
    await this.local.updateNode(view.id, { labels: applyLabelChanges(node.labels, changes) }, signal);
    return this.get(view.id, signal);
  }

  /**
   * Which process types are packed unevenly over the nodes their placement allows, and the moves that spread them;
   * unless `dryRun`, the moves are applied with zero downtime.
   */
  async rebalance(opts: { dryRun?: boolean; emit?: EventSink; signal?: AbortSignal } = {}): Promise<RebalanceResult> {
    const { signal } = opts;
    await this.managerState(signal);
    const mover = this.mover ?? noMover;
    if (opts.dryRun || !this.mover) {
      const { plan } = await planDynoRebalance(this.local, mover, signal);
      return { services: plan, applied: false, moved: 0, remaining: plan };
    }
    return applyRebalance(this.local, mover, opts.emit ?? (() => {}), signal);
  }

  /** Nodes a move paused when the server stopped half-way get their availability back (at start). */
  async resumeInterrupted(signal?: AbortSignal): Promise<number> {
    const state = await this.local.state(signal);
    return isManagerOf(state) ? resumePausedNodes(this.local, signal) : 0;
  }

  private async leave(view: NodeView, force: boolean, signal?: AbortSignal): Promise<boolean> {
    let remote: SwarmControl | undefined;
    try {
      remote = await this.connect(dockerEndpointFrom(view.engine!, this.tlsStore?.load(view.engine!)));
      await remote.leave(force, signal);
      return true;
    } catch (err) {
      if (force) return false;
      throw new SlipwayError('NODE_BUSY', `node ${view.name} did not leave the Swarm: ${(err as Error).message}`, {
        hint: `check its engine (${view.engine}), or remove it anyway with --force`,
        cause: err,
      });
    } finally {
      await remote?.close();
    }
  }

  private async setAvailability(id: string, availability: NodeAvailability, signal?: AbortSignal): Promise<void> {
    await this.local.updateNode(id, { availability }, signal);
  }

  private async managerState(signal?: AbortSignal): Promise<EngineSwarmState> {
    const state = await this.local.state(signal);
    if (!isManagerOf(state))
      throw new SlipwayError('INVALID_INPUT', 'this installation is one host with plain Docker: it has no nodes yet', {
        hint: 'add a server first: `slipway nodes:add` (prints the command to run there) or `--engine DOCKER_HOST`',
      });
    return state;
  }

  /** A node by hostname, id, or unique id prefix. */
  private async find(name: string, signal?: AbortSignal): Promise<SwarmNode> {
    const key = name.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,253}$/.test(key))
      throw new SlipwayError('INVALID_INPUT', `not a node name: ${JSON.stringify(name.slice(0, 80))}`, {
        hint: 'name a node by its hostname or id, as `slipway nodes` lists them',
      });
    const nodes = await this.local.nodes(signal);
    const byName = nodes.filter((n) => n.name === key);
    const matches = byName.length
      ? byName
      : nodes.filter((n) => n.id === key || (key.length >= 4 && n.id.startsWith(key)));
    if (matches.length === 1) return matches[0]!;
    const names = nodes.map((n) => n.name).join(', ');
    if (matches.length === 0)
      throw new SlipwayError('NODE_NOT_FOUND', `no node ${JSON.stringify(key)}`, { hint: `nodes: ${names}` });
    throw new SlipwayError('INVALID_INPUT', `${JSON.stringify(key)} names ${matches.length} nodes`, {
      hint: `use the node id: ${matches.map((m) => m.id.slice(0, 12)).join(', ')}`,
    });
  }

  private async tasksOn(nodeId: string, signal?: AbortSignal): Promise<number> {
    return (await this.local.runningTasks(signal)).filter((t) => t.nodeId === nodeId).length;
  }

  private async checkJoinable(remote: SwarmControl, url: string, signal?: AbortSignal): Promise<void> {
    const state = await remote.state(signal);
    if (state.localState !== 'inactive')
      throw new SlipwayError('SWARM_INCOMPATIBLE', `the engine at ${url} is already in a Swarm (${state.localState})`, {
        hint: 'a node joins one Swarm: run `docker swarm leave` there first (or it is already a node: `slipway nodes`)',
      });
    if (state.liveRestore)
      throw new SlipwayError('SWARM_INCOMPATIBLE', `the engine at ${url} has live-restore enabled`, {
        hint: 'Swarm refuses live-restore: set "live-restore": false in its /etc/docker/daemon.json, reload dockerd',
      });
  }

  private waitOpts(timeoutMs: number, signal?: AbortSignal) {
    return { timeoutMs, intervalMs: this.pollIntervalMs, ...(signal ? { signal } : {}) };
  }
}
