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
  /** Log lines; with follow the iterable ends when the container stops or the signal aborts. */
  logs(id: string, opts: { follow?: boolean; tail?: number; since?: number; signal?: AbortSignal }): AsyncIterable<LogLine>;
  /** Waits for the container to exit, returns its exit code. */
  waitContainer(id: string, signal?: AbortSignal): Promise<number>;

  // Optional members (build pipelines, image retention); DockerEngine implements them all.
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
