/**
 * The Swarm side of a Docker engine, as a narrow port (DESIGN habit 4): what `slipway nodes:*` needs
 * and nothing else. One adapter (docker-swarm-control.ts) speaks the Docker Engine API; the node
 * service plans against this interface. Swarm itself is the source of truth for nodes.
 */

export type NodeRole = 'manager' | 'worker';
export type NodeAvailability = 'active' | 'pause' | 'drain';

/** One Swarm node as Slipway shows it (from `GET /nodes`, with running tasks counted from `GET /tasks`). */
export interface SwarmNode {
  id: string;
  /** The node's hostname: the name users type. */
  name: string;
  address: string;
  role: NodeRole;
  /** `ready`, `down`, `unknown`, `disconnected`. */
  state: string;
  availability: NodeAvailability;
  leader: boolean;
  labels: Record<string, string>;
  /** The Docker Engine version the node runs. */
  engineVersion: string;
  cpus: number;
  memoryBytes: number;
}

/** What `GET /info` says about the engine's place in a Swarm. */
export interface EngineSwarmState {
  /** `inactive`, `pending`, `active`, `error`, `locked`. */
  localState: string;
  nodeId: string;
  /** True on a manager: it can list nodes, hand out tokens, update nodes. */
  isManager: boolean;
  /** `ADDR:2377` of the managers this engine knows (its own included on a manager). */
  managerAddrs: string[];
  liveRestore: boolean;
  serverVersion: string;
  hostname: string;
  cpus: number;
  memoryBytes: number;
}

export interface SwarmInitSpec {
  advertiseAddr?: string;
  listenAddr: string;
}

export interface SwarmJoinSpec {
  remoteAddrs: string[];
  joinToken: string;
  listenAddr: string;
  advertiseAddr?: string;
}

/** A node update: everything of the node's spec Slipway changes (the rest is kept as read). */
export interface NodeSpecChange {
  availability?: NodeAvailability;
  labels?: Record<string, string>;
}

export interface TaskPlacement {
  nodeId: string;
  serviceId: string;
  serviceName: string;
  /** The service's own labels (Slipway's `slipway.app`, `slipway.process`, … once the swarm engine sets them). */
  serviceLabels: Record<string, string>;
}

/** One engine's Swarm operations; `signal` ends any call early. */
export interface SwarmControl {
  /** Where this engine is reached, for messages (never secret: a socket path or host). */
  readonly where: string;
  state(signal?: AbortSignal): Promise<EngineSwarmState>;
  init(spec: SwarmInitSpec, signal?: AbortSignal): Promise<string>;
  /** The worker join token (a secret: never logged). Manager only. */
  workerJoinToken(signal?: AbortSignal): Promise<string>;
  join(spec: SwarmJoinSpec, signal?: AbortSignal): Promise<void>;
  leave(force: boolean, signal?: AbortSignal): Promise<void>;
  nodes(signal?: AbortSignal): Promise<SwarmNode[]>;
  node(id: string, signal?: AbortSignal): Promise<SwarmNode | undefined>;
  /** Reads the node's spec and writes it back changed, naming the version read (optimistic concurrency). */
  updateNode(id: string, change: NodeSpecChange, signal?: AbortSignal): Promise<void>;
  removeNode(id: string, force: boolean, signal?: AbortSignal): Promise<void>;
  /** Releases what reaching the engine holds (an ssh bridge); nothing for a socket. */
  close(): Promise<void>;
  /** Makes this engine trust a registry's CA (`/etc/docker/certs.d/HOST:PORT/ca.crt`) through its API. */
  installRegistryCa?(trust: { server: string; caPem: string }, signal?: AbortSignal): Promise<void>;
  /** Tasks observed running (whatever Swarm now wants of them: a drained node's tasks count until they stop). */
  runningTasks(signal?: AbortSignal): Promise<TaskPlacement[]>;
}
