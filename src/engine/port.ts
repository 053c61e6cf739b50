import type { Readable } from 'node:stream';

/** The narrow interface Slipway needs from a container engine (Docker now, Swarm later). */

export interface ContainerSpec {
  /** Docker container name, e.g. `slipway-myapp-web-v3-ab12cd`. */
  name: string;
  image: string;
  /** Overrides the image CMD when set (entrypoint is kept). */
  cmd?: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  /** When set, this container port is published on 127.0.0.1 at an engine-chosen host port. */
  containerPort?: number;
  /** Seconds between SIGTERM and SIGKILL on stop. */
  stopTimeoutSec?: number;
  /** Keep stdin open (one-off interactive runs). */
  openStdin?: boolean;
  tty?: boolean;
  /** cgroup limits: memory (swap included), processes/threads, CPUs. */
  limits?: { memoryBytes?: number; pids?: number; cpus?: number };
  /** The container's log files rotate at this size, this many are kept (json-file driver). */
  logRotation?: { maxSizeBytes: number; maxFiles: number };
  /**
   * Swarm placement constraints, e.g. `node.labels.region==eu` (ignored by the one-host Docker engine).
   */
  placement?: string[];
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  state: ContainerState;
  /** ISO timestamp. */
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  /** Host port on 127.0.0.1 that maps to `containerPort`, when published. */
  hostPort?: number;
  /** The cgroup limits the engine applied. */
  limits?: { memoryBytes?: number; pids?: number; cpus?: number };
  /**
   * The container's own IPv4 address on its bridge network, while it runs. HAProxy and the probe
   * reach `ip:containerPort` directly: no docker-proxy in the path (it dies with dockerd, even with
   * live-restore, while the container keeps running).
   */
  ip?: string;
  /**
   * Where HAProxy and the probe reach `containerPort`, when the engine knows better than `ip` / `hostPort`:
   * for a Swarm task, its node's address and the port published there (host mode).
   */
  endpoint?: { address: string; port: number };
  /** The hostname of the node that runs it (Swarm); absent on one host. */
  node?: string;
}

/** What the engine says about itself (`docker info`). */
export interface EngineInfo {
  /** Containers keep running while the daemon restarts (Docker's `live-restore`). */
  liveRestore: boolean;
  serverVersion: string;
}

export interface ImageInfo {
  id: string;
  tags: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  env: string[];
  exposedPorts: number[];
  labels: Record<string, string>;
  createdAt: string;
  sizeBytes: number;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** ISO timestamp from the engine. */
  time: string;
  text: string;
}

export interface BuildOptions {
  /** A tar stream of the build context. */
  context: Readable;
  /** Image tag, e.g. `slipway/myapp:build-12`. */
  tag: string;
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  signal?: AbortSignal;
  /** Each line of builder output as it happens (secrets must be redacted by the caller). */
  onOutput?: (line: string) => void;
}

/** One layer of an image's history (`docker history`). */
export interface ImageHistoryEntry {
  id: string;
  createdBy: string;
  comment: string;
  tags: string[];
}

export interface ImageSummary {
  id: string;
  tags: string[];
  labels: Record<string, string>;
}

/** A container lifecycle event from the engine (`GET /events`), e.g. a `die` with its exit code. */
export interface ContainerEvent {
  /** Docker's action: create, start, die, stop, kill, oom, destroy, … */
  action: string;
  id: string;
  /** The container's labels (as Docker reports them in the event's attributes). */
  labels: Record<string, string>;
  /** For `die`: the exit code. */
  exitCode?: number;
  /** Engine time of the event, ms since the epoch. */
  timeMs: number;
}

export interface ContainerEventQuery {
  /** Only these actions (default: all). */
  actions?: string[];
  /**
   * Only containers carrying all these labels (value `undefined`/'' = label present); the engine's scope labels are
   * always added.
   */
  labels?: Record<string, string | undefined>;
  /** Replay events since this time (ms since the epoch); default: from now on. */
  sinceMs?: number;
  signal?: AbortSignal;
}

export interface ContainerEngine {
  /** Throws SlipwayError DOCKER_UNAVAILABLE when the engine does not answer. */
  ping(signal?: AbortSignal): Promise<void>;
  inspectImage(ref: string, signal?: AbortSignal): Promise<ImageInfo | null>;
  /** Throws SlipwayError BUILD_FAILED with the last output lines when the build fails. */
  buildImage(opts: BuildOptions): Promise<{ imageId: string }>;
  /** Creates and starts a container, returns its inspected state (with hostPort when published). */
  runContainer(spec: ContainerSpec, signal?: AbortSignal): Promise<ContainerInfo>;
  inspectContainer(id: string, signal?: AbortSignal): Promise<ContainerInfo | null>;
  /** Containers (running or not) carrying all given labels (value `undefined`/'' = label present). */
  listContainers(labels: Record<string, string | undefined>, signal?: AbortSignal): Promise<ContainerInfo[]>;
  /** SIGTERM, then SIGKILL after `graceSec`. No error when already stopped or gone. */
  stopContainer(id: string, graceSec: number, signal?: AbortSignal): Promise<void>;
  /** No error when already gone. */
  removeContainer(id: string, opts?: { force?: boolean }, signal?: AbortSignal): Promise<void>;
  killContainer(id: string, signal?: AbortSignal): Promise<void>;
  /** Changes a running container's memory / process / CPU limits in place. */
  updateContainerLimits(id: string, limits: NonNullable<ContainerSpec['limits']>, signal?: AbortSignal): Promise<void>;
  /**
   * Log lines in time order; with follow the iterable ends when the container stops or the signal
   * aborts. `since` / `until`: unix seconds, or exact `seconds.nanoseconds` text (both inclusive).
   * Lines longer than 64 Ki characters are truncated with a marker. Reading is pulled: a slow
   * consumer slows the engine.
   */
  logs(
    id: string,
    opts: { follow?: boolean; tail?: number; since?: number | string; until?: number | string; signal?: AbortSignal },
  ): AsyncIterable<LogLine>;
  /** Waits for the container to exit, returns its exit code. */
  waitContainer(id: string, signal?: AbortSignal): Promise<number>;
  /**
   * Container lifecycle events as they happen, until the signal aborts (then the iteration ends
   * quietly) or the engine goes away (then it throws DOCKER_UNAVAILABLE / INTERNAL).
   */
  containerEvents(query: ContainerEventQuery): AsyncIterable<ContainerEvent>;

  // Optional members (build pipelines, image retention, setup); DockerEngine implements them all.
  /** The daemon's own settings. */
  info?(signal?: AbortSignal): Promise<EngineInfo>;
  /** Creates a container without starting it (e.g. to copy files out of an image); returns its id. */
  createContainer?(spec: ContainerSpec, signal?: AbortSignal): Promise<string>;
  /** A tar stream of `path` inside a container (GET /containers/{id}/archive). */
  copyFromContainer?(id: string, path: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer>>;
  /** Removes an image (tag or id); no error when it is already gone. */
  removeImage?(ref: string, opts?: { force?: boolean }, signal?: AbortSignal): Promise<void>;
  /** Adds the tag `repo:tag` to an image. */
  tagImage?(ref: string, repoTag: string, signal?: AbortSignal): Promise<void>;
  imageHistory?(ref: string, signal?: AbortSignal): Promise<ImageHistoryEntry[]>;
  /** Images carrying all given labels (value `undefined`/'' = label present). */
  listImages?(labels: Record<string, string | undefined>, signal?: AbortSignal): Promise<ImageSummary[]>;
}
