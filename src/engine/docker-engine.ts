import { withTimeout } from '../core/abort.js';
import { SlipwayError, isSlipwayError } from '../core/errors.js';
import { BuildProgress, JsonLinesDecoder, buildFailureHint } from './docker-build-progress.js';
import { DockerHttpClient, parseDockerHost, type DockerEndpoint } from './docker-http.js';
import {
  containerHasTty,
  parseContainerEvent,
  parseContainerInspect,
  parseContainerListIds,
  parseEngineInfo,
  parseCreateResponse,
  parseImageInspect,
  parseWaitResponse,
} from './docker-inspect-parsers.js';
import { DockerStreamDemuxer, LogCatchUp, LogLineAssembler, sinceToUnixNanos } from './docker-log-stream.js';
import {
  buildImageRequest,
  containerArchiveRequest,
  containerEventsRequest,
  containerLogsRequest,
  createContainerRequest,
  inspectContainerRequest,
  inspectImageRequest,
  killContainerRequest,
  listContainersRequest,
  imageHistoryRequest,
  listImagesRequest,
  pingRequest,
  infoRequest,
  removeContainerRequest,
  removeImageRequest,
  startContainerRequest,
  stopContainerRequest,
  tagImageRequest,
  updateContainerLimitsRequest,
  waitContainerRequest,
  type LogsRequestOptions,
} from './docker-requests.js';
import type {
  BuildOptions,
  ContainerEngine,
  ContainerEvent,
  ContainerEventQuery,
  ContainerInfo,
  ContainerSpec,
  EngineInfo,
  ImageHistoryEntry,
  ImageInfo,
  ImageSummary,
  LogLine,
} from './port.js';
import { parseImageHistory, parseImageList } from './docker-image-parsers.js';

export interface DockerEngineOptions {
  /** Unix socket path; overrides `dockerHost`. */
  socketPath?: string;
  /**
   * `unix:///…` or `tcp://host:port`; defaults to the DOCKER_HOST environment variable, then /var/run/docker.sock.
   */
  dockerHost?: string;
  /** Timeout of ordinary API calls (default 30 s). */
  timeoutMs?: number;
  /**
   * Labels that scope this engine to one Slipway instance: added to every container it creates and
   * to every container listing, so two Slipway homes on one Docker never see each other's containers.
   */
  scopeLabels?: Record<string, string>;
  /** Timeout of a whole image build (default 30 min). */
  buildTimeoutMs?: number;
}

const DEFAULT_BUILD_TIMEOUT_MS = 30 * 60_000;
const CLEANUP_TIMEOUT_MS = 15_000;
const INSPECT_CONCURRENCY = 8;

/** ContainerEngine over the Docker Engine API v1.41, spoken directly on the socket. */
export class DockerEngine implements ContainerEngine {
  private readonly http: DockerHttpClient;
  private readonly timeoutMs: number;
  private readonly buildTimeoutMs: number;

  private readonly scope: Record<string, string>;

  constructor(opts: DockerEngineOptions = {}) {
    this.scope = opts.scopeLabels ?? {};
    const endpoint: DockerEndpoint = opts.socketPath
      ? { socketPath: opts.socketPath }
      : parseDockerHost(opts.dockerHost ?? process.env.DOCKER_HOST);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.buildTimeoutMs = opts.buildTimeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS;
    this.http = new DockerHttpClient({ endpoint, timeoutMs: this.timeoutMs });
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.http.json(pingRequest(), { signal });
  }

  async info(signal?: AbortSignal): Promise<EngineInfo> {
    return parseEngineInfo((await this.http.json(infoRequest(), { signal })).body);
  }

  async inspectImage(ref: string, signal?: AbortSignal): Promise<ImageInfo | null> {
    const res = await this.http.json(inspectImageRequest(ref), { signal, accept: [404] });
    return res.status === 404 ? null : parseImageInspect(res.body);
  }

  async tagImage(ref: string, repoTag: string, signal?: AbortSignal): Promise<void> {
    const at = repoTag.lastIndexOf(':');
    const hasTag = at > repoTag.lastIndexOf('/');
    await this.http.json(
      tagImageRequest(ref, hasTag ? repoTag.slice(0, at) : repoTag, hasTag ? repoTag.slice(at + 1) : 'latest'),
      { signal },
    );
  }

  async imageHistory(ref: string, signal?: AbortSignal): Promise<ImageHistoryEntry[]> {
    return parseImageHistory((await this.http.json(imageHistoryRequest(ref), { signal })).body);
  }

  async listImages(labels: Record<string, string | undefined>, signal?: AbortSignal): Promise<ImageSummary[]> {
    return parseImageList((await this.http.json(listImagesRequest(labels), { signal })).body);
  }

  async createContainer(spec: ContainerSpec, signal?: AbortSignal): Promise<string> {
    const created = await this.http
      .json(createContainerRequest(this.scoped(spec)), { signal })
      .catch((err: unknown) => {
        throw createFailedError(err, spec);
      });
    return parseCreateResponse(created.body);
  }

  async copyFromContainer(id: string, path: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
    return (await this.http.stream(containerArchiveRequest(id, path), { signal })).body;
  }

  /** Removes an image (tag or id); no error when it is already gone. */
  async removeImage(ref: string, opts: { force?: boolean } = {}, signal?: AbortSignal): Promise<void> {
    await this.http.json(removeImageRequest(ref, opts), { signal, accept: [404] });
  }

  async buildImage(opts: BuildOptions): Promise<{ imageId: string }> {
    const req = buildImageRequest(opts);
    let stream;
    try {
      // Headers come only after the whole context is uploaded, so the build limit covers both phases.
      stream = await this.http.stream(req, {
        signal: opts.signal,
        body: opts.context,
        timeoutMs: this.buildTimeoutMs,
        totalTimeoutMs: this.buildTimeoutMs,
      });
    } catch (err) {
      throw buildRejectedError(err, opts.tag);
    }
    const decoder = new JsonLinesDecoder();
    const progress = new BuildProgress();
    const emit = (lines: string[]) => {
      for (const line of lines) opts.onOutput?.(line);
    };
    for await (const chunk of stream.body) {
      for (const message of decoder.push(chunk)) emit(progress.handle(message));
    }
    for (const message of decoder.flush()) emit(progress.handle(message));
    emit(progress.flush());

    if (progress.error !== undefined) {
      throw new SlipwayError('BUILD_FAILED', `building ${opts.tag} failed: ${progress.error}`, {
        hint: buildFailureHint(progress.error),
        details: { tag: opts.tag, lastLines: progress.lastLines },
      });
    }
    let imageId = progress.imageId;
    if (!imageId?.startsWith('sha256:')) {
      imageId = (await this.inspectImage(opts.tag, opts.signal))?.id ?? imageId;
    }
    if (!imageId) {
      throw new SlipwayError('BUILD_FAILED', `building ${opts.tag} finished without an image id`, {
        details: { tag: opts.tag, lastLines: progress.lastLines },
      });
    }
    return { imageId };
  }

  async runContainer(spec: ContainerSpec, signal?: AbortSignal): Promise<ContainerInfo> {
    const created = await this.http
      .json(createContainerRequest(this.scoped(spec)), { signal })
      .catch((err: unknown) => {
        throw createFailedError(err, spec);
      });
    const id = parseCreateResponse(created.body);
    try {
      await this.http.json(startContainerRequest(id), { signal, accept: [304] }).catch((err: unknown) => {
        throw startFailedError(err, spec);
      });
      const info = await this.inspectContainer(id, signal);
      if (!info)
        throw new SlipwayError('CONTAINER_FAILED', `container ${spec.name} disappeared right after it started`);
      return info;
    } catch (err) {
      await this.removeContainer(id, { force: true }, withTimeout(CLEANUP_TIMEOUT_MS)).catch(() => undefined);
      throw err;
    }
  }

  /**
   * A container of this Slipway home (its scope labels), else null: other homes' and foreign containers are invisible.
   */
  async inspectContainer(id: string, signal?: AbortSignal): Promise<ContainerInfo | null> {
    const res = await this.http.json(inspectContainerRequest(id), { signal, accept: [404] });
    if (res.status === 404) return null;
    const info = parseContainerInspect(res.body);
    return this.inScope(info.labels) ? info : null;
  }

  private inScope(labels: Record<string, string>): boolean {
    return Object.entries(this.scope).every(([key, value]) => labels[key] === value);
  }

  /** The spec with this instance's scope labels. */
  scoped(spec: ContainerSpec): ContainerSpec {
    return Object.keys(this.scope).length === 0 ? spec : { ...spec, labels: { ...spec.labels, ...this.scope } };
  }

  async listContainers(labels: Record<string, string | undefined>, signal?: AbortSignal): Promise<ContainerInfo[]> {
    const res = await this.http.json(listContainersRequest({ ...labels, ...this.scope }), { signal });
    // Inspect each for the full state (a few at a time); a container removed in between is left out.
    const ids = parseContainerListIds(res.body);
    const infos: ContainerInfo[] = [];
    for (let i = 0; i < ids.length; i += INSPECT_CONCURRENCY) {
      const batch = await Promise.all(
        ids.slice(i, i + INSPECT_CONCURRENCY).map((id) => this.inspectContainer(id, signal)),
      );
      infos.push(...batch.filter((info): info is ContainerInfo => info !== null));
    }
    return infos;
  }

  async stopContainer(id: string, graceSec: number, signal?: AbortSignal): Promise<void> {
    // 304: already stopped; 404: already gone. Docker answers only after the grace period at worst.
    await this.http.json(stopContainerRequest(id, graceSec), {
      signal,
      accept: [304, 404],
      timeoutMs: this.timeoutMs + Math.max(0, graceSec) * 1000,
    });
  }

  async removeContainer(id: string, opts: { force?: boolean } = {}, signal?: AbortSignal): Promise<void> {
    try {
      await this.http.json(removeContainerRequest(id, opts), { signal, accept: [404] });
    } catch (err) {
      if (dockerStatus(err) === 409 && /already in progress/i.test(dockerMessage(err))) return;
      throw err;
    }
  }

  async updateContainerLimits(
    id: string,
    limits: NonNullable<ContainerSpec['limits']>,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.http.json(updateContainerLimitsRequest(id, limits), { signal });
  }

  /** SIGKILL. No error when the container is not running or already gone. */
  async killContainer(id: string, signal?: AbortSignal): Promise<void> {
    await this.http.json(killContainerRequest(id), { signal, accept: [404, 409] });
  }

  async *logs(
    id: string,
    opts: { follow?: boolean; tail?: number; since?: number | string; until?: number | string; signal?: AbortSignal },
  ): AsyncGenerator<LogLine> {
    const { signal } = opts;
    const requestedAtNanos = BigInt(Date.now()) * 1_000_000n;
    try {
      const inspected = await this.http.json(inspectContainerRequest(id), { signal });
      // TTY containers have one raw stream; the others multiplex stdout/stderr in frames.
      const tty = containerHasTty(inspected.body);
      const catchUp = new LogCatchUp();
      for await (const line of this.readLogs(id, opts, tty, signal)) {
        catchUp.observe(line);
        yield line;
      }
      if (!opts.follow) return;
      // The follow stream ended because the container stopped; pick up a last line Docker wrote late.
      const sinceNanos = opts.since === undefined ? 0n : sinceToUnixNanos(opts.since);
      const fallback = sinceNanos > requestedAtNanos ? sinceNanos : requestedAtNanos;
      try {
        for await (const line of this.readLogs(id, { since: catchUp.since(fallback) }, tty, signal)) {
          if (catchUp.isNew(line)) yield line;
        }
      } catch (err) {
        if (!(isSlipwayError(err) && err.code === 'NOT_FOUND')) throw err; // removed right after it stopped
      }
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
  }

  private async *readLogs(
    id: string,
    opts: LogsRequestOptions,
    tty: boolean,
    signal?: AbortSignal,
  ): AsyncGenerator<LogLine> {
    const assembler = new LogLineAssembler();
    const demuxer = tty ? undefined : new DockerStreamDemuxer();
    const stream = await this.http.stream(containerLogsRequest(id, opts), { signal });
    for await (const chunk of stream.body) {
      yield* demuxer ? assembler.pushFrames(demuxer.push(chunk)) : assembler.push('stdout', chunk);
    }
    yield* assembler.flush();
  }

  async *containerEvents(query: ContainerEventQuery): AsyncGenerator<ContainerEvent> {
    const { signal } = query;
    const req = containerEventsRequest({
      ...(query.actions ? { actions: query.actions } : {}),
      labels: { ...query.labels, ...this.scope },
      ...(query.sinceMs !== undefined ? { sinceMs: query.sinceMs } : {}),
    });
    try {
      // Headers come at once; the body is open-ended: only the caller's signal ends it.
      const stream = await this.http.stream(req, { signal });
      const decoder = new JsonLinesDecoder();
      for await (const chunk of stream.body) {
        for (const message of decoder.push(chunk)) {
          const event = parseContainerEvent(message);
          if (event) yield event;
        }
      }
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
  }

  async waitContainer(id: string, signal?: AbortSignal): Promise<number> {
    // Docker sends headers at once and the body when the container exits: only the caller's signal bounds the wait.
    const stream = await this.http.stream(waitContainerRequest(id), { signal });
    const chunks: Buffer[] = [];
    for await (const chunk of stream.body) chunks.push(chunk);
    return parseWaitResponse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  }
}

function dockerStatus(err: unknown): number | undefined {
  const status = isSlipwayError(err) ? err.details?.status : undefined;
  return typeof status === 'number' ? status : undefined;
}

function dockerMessage(err: unknown): string {
  const message = isSlipwayError(err) ? err.details?.dockerMessage : undefined;
  return typeof message === 'string' ? message : err instanceof Error ? err.message : String(err);
}

const PORT_IN_USE_MESSAGE = /port is already allocated|address already in use|bind for .* failed/i;

/** Whether Docker's start error means the host port could not be bound. */
export function isPortInUseMessage(message: string): boolean {
  return PORT_IN_USE_MESSAGE.test(message);
}

function createFailedError(err: unknown, spec: ContainerSpec): unknown {
  if (dockerStatus(err) === 409) {
    return new SlipwayError('CONTAINER_FAILED', `container name ${spec.name} is already in use`, {
      hint: 'remove the old container first (`docker rm -f NAME`) or use a new name',
      cause: err,
      details: isSlipwayError(err) ? err.details : undefined,
    });
  }
  if (dockerStatus(err) === 400) {
    return new SlipwayError('CONTAINER_FAILED', `cannot create container ${spec.name}: ${dockerMessage(err)}`, {
      hint: /no command specified/i.test(dockerMessage(err))
        ? 'the image has no CMD: set a command for this process'
        : undefined,
      cause: err,
      details: isSlipwayError(err) ? err.details : undefined,
    });
  }
  return err;
}

function startFailedError(err: unknown, spec: ContainerSpec): unknown {
  const status = dockerStatus(err);
  if (status === undefined) return err; // transport, timeout or abort: keep as is
  const message = dockerMessage(err);
  const details = isSlipwayError(err) ? err.details : undefined;
  if (isPortInUseMessage(message)) {
    return new SlipwayError(
      'PORT_IN_USE',
      `cannot publish port ${spec.containerPort ?? '?'} of ${spec.name}: ${message}`,
      {
        hint: 'another process holds that host port; free it or let Docker pick one',
        cause: err,
        details,
      },
    );
  }
  return new SlipwayError('CONTAINER_FAILED', `container ${spec.name} failed to start: ${message}`, {
    hint: /executable file not found|no such file or directory/i.test(message)
      ? "the command does not exist in the image; check the process's command and the image's PATH"
      : undefined,
    cause: err,
    details,
  });
}

function buildRejectedError(err: unknown, tag: string): unknown {
  const status = dockerStatus(err);
  if (status === undefined) return err;
  const message = dockerMessage(err);
  if (/cannot locate specified dockerfile/i.test(message)) {
    return new SlipwayError('NO_DOCKERFILE', `building ${tag} failed: ${message}`, {
      hint: 'the Dockerfile must be inside the build context; check the dockerfile path',
      cause: err,
    });
  }
  return new SlipwayError('BUILD_FAILED', `building ${tag} failed: ${message}`, {
    hint: buildFailureHint(message),
    cause: err,
    details: { tag, lastLines: [message] },
  });
}
