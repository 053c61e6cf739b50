import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { abortError } from '../core/abort.js';
import { SlipwayError } from '../core/errors.js';
import type { DockerRequest } from './docker-requests.js';

/**
 * The Docker Engine HTTP API over its unix socket (or plain tcp://), with `node:http` only.
 * Every call takes an AbortSignal and has a timeout; failures become SlipwayErrors.
 */

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
export const DOCKER_API_VERSION = 'v1.41';
const DEFAULT_TIMEOUT_MS = 30_000;
const START_DOCKER_HINT = 'start Docker: `dockerd &` or run `slipway setup`';

/** PEM texts of a TLS Docker endpoint (`dockerd --tlsverify`): the CA it is signed by, this client's cert and key. */
export interface DockerTls {
  ca: string;
  cert: string;
  key: string;
}

export type DockerEndpoint = { socketPath: string } | { host: string; port: number; tls?: DockerTls };

/** `unix:///var/run/docker.sock` or `tcp://127.0.0.1:2375`; unset → the default socket. */
export function parseDockerHost(value: string | undefined): DockerEndpoint {
  if (!value) return { socketPath: DEFAULT_DOCKER_SOCKET };
  if (value.startsWith('unix://')) return { socketPath: value.slice('unix://'.length) || DEFAULT_DOCKER_SOCKET };
  if (value.startsWith('/')) return { socketPath: value };
  const tcp = /^(?:tcp|http):\/\/([^:/]+):(\d+)\/?$/.exec(value);
  if (tcp) return { host: tcp[1]!, port: Number(tcp[2]) };
  throw new SlipwayError('INVALID_INPUT', `unsupported DOCKER_HOST ${JSON.stringify(value)}`, {
    hint: 'use unix:///var/run/docker.sock (or tcp://HOST:PORT without TLS)',
  });
}

export interface DockerHttpOptions {
  endpoint?: DockerEndpoint;
  apiVersion?: string;
  /** Default timeout of a call (whole call for JSON, until response headers for streams). */
  timeoutMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Statuses other than 2xx to return instead of throwing (e.g. 304, 404). */
  accept?: number[];
}

export interface StreamCallOptions extends CallOptions {
  /** Request body stream (the build context). */
  body?: Readable;
  /** Limit for the whole call, counted from its start; by default only the caller's signal ends a started stream. */
  totalTimeoutMs?: number;
}

export interface JsonResponse<T = unknown> {
  status: number;
  body: T | undefined;
}

export interface StreamResponse {
  status: number;
  /** Response bytes; errors are SlipwayErrors; ending the iteration early closes the connection. */
  body: AsyncIterable<Buffer>;
}

export class DockerHttpClient {
  private readonly endpoint: DockerEndpoint;
  private readonly apiVersion: string;
  private readonly timeoutMs: number;

  constructor(opts: DockerHttpOptions = {}) {
    this.endpoint = opts.endpoint ?? parseDockerHost(process.env.DOCKER_HOST);
    this.apiVersion = opts.apiVersion ?? DOCKER_API_VERSION;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Sends a request and reads the whole (JSON or text) response. */
  async json<T = unknown>(req: DockerRequest, opts: CallOptions = {}): Promise<JsonResponse<T>> {
    const call = this.open(req, opts, opts.timeoutMs ?? this.timeoutMs);
    try {
      const res = await call.response;
      const text = (await readAll(res)).toString('utf8');
      if (!isOk(res.statusCode, opts.accept)) throw dockerApiError(res.statusCode ?? 0, text, req);
      return { status: res.statusCode ?? 0, body: parseBody<T>(text, res.headers['content-type']) };
    } catch (err) {
      throw call.mapError(err);
    } finally {
      call.dispose();
    }
  }

  /** Sends a request and returns the response as a byte stream once headers arrive. */
  async stream(req: DockerRequest, opts: StreamCallOptions = {}): Promise<StreamResponse> {
    const startedAt = Date.now();
    const call = this.open(req, opts, opts.timeoutMs ?? this.timeoutMs, opts.body);
    let res: http.IncomingMessage;
    try {
      res = await call.response;
      if (!isOk(res.statusCode, opts.accept)) {
        throw dockerApiError(res.statusCode ?? 0, (await readAll(res)).toString('utf8'), req);
      }
    } catch (err) {
      call.dispose();
      throw call.mapError(err);
    }
    call.clearTimer();
    if (opts.totalTimeoutMs !== undefined)
      call.armTimer(opts.totalTimeoutMs, Math.max(1, opts.totalTimeoutMs - (Date.now() - startedAt)));
    return { status: res.statusCode ?? 0, body: iterate(res, call) };
  }

  private open(req: DockerRequest, opts: CallOptions, timeoutMs: number, bodyStream?: Readable): OpenCall {
    const controller = new AbortController();
    const callerSignal = opts.signal;
    let timedOutAfter: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const armTimer = (limitMs: number, remainingMs = limitMs) => {
      timer = setTimeout(() => {
        timedOutAfter = limitMs;
        controller.abort();
      }, remainingMs);
    };
    const onCallerAbort = () => controller.abort();
    if (callerSignal?.aborted) controller.abort();
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    armTimer(timeoutMs);

    const headers: Record<string, string> = { ...req.headers };
    let payload: string | undefined;
    if (req.body !== undefined) {
      payload = JSON.stringify(req.body);
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    } else if (req.contentType) {
      headers['Content-Type'] = req.contentType;
    }
    const ep = this.endpoint;
    const target =
      'socketPath' in ep
        ? { socketPath: ep.socketPath }
        : { host: ep.host, port: ep.port, ...(ep.tls ? { ca: ep.tls.ca, cert: ep.tls.cert, key: ep.tls.key } : {}) };
    const transport = 'tls' in ep && ep.tls ? https : http;
    const path = `/${this.apiVersion}${req.path}${toQueryString(req.query)}`;

    let request: http.ClientRequest | undefined;
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      if (controller.signal.aborted) return reject(new Error('aborted before start'));
      // agent: false — one connection per call, so an aborted stream never poisons a pooled socket.
      // With TLS the server's certificate must be from the given CA and name the host (Node's defaults).
      request = transport.request(
        { ...target, path, method: req.method, headers, signal: controller.signal, agent: false },
        resolve,
      );
      request.on('error', reject);
      if (bodyStream) {
        bodyStream.on('error', (err) => request?.destroy(err));
        bodyStream.pipe(request);
      } else {
        request.end(payload);
      }
    });

    const mapError = (err: unknown): SlipwayError | Error => {
      if (err instanceof SlipwayError) return err;
      if (callerSignal?.aborted) return callerAbortError(callerSignal, req);
      if (timedOutAfter !== undefined) {
        return new SlipwayError(
          'TIMEOUT',
          `Docker did not answer ${req.method} ${req.path} within ${timedOutAfter} ms`,
          {
            hint: 'Docker may be overloaded; check `docker info`',
            cause: err,
          },
        );
      }
      return transportError(err, this.endpoint);
    };
    return {
      response,
      mapError,
      armTimer,
      clearTimer: () => clearTimeout(timer),
      dispose: () => {
        clearTimeout(timer);
        callerSignal?.removeEventListener('abort', onCallerAbort);
        request?.destroy();
        // A build context nobody will read again must not keep its producer (e.g. `tar`) blocked.
        if (bodyStream && !bodyStream.readableEnded) bodyStream.destroy();
      },
    };
  }
}

interface OpenCall {
  response: Promise<http.IncomingMessage>;
  mapError(err: unknown): Error;
  armTimer(limitMs: number, remainingMs?: number): void;
  clearTimer(): void;
  dispose(): void;
}

async function* iterate(res: http.IncomingMessage, call: OpenCall): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of res) yield chunk as Buffer;
  } catch (err) {
    throw call.mapError(err);
  } finally {
    call.dispose();
  }
}

function isOk(status: number | undefined, accept: number[] = []): boolean {
  return status !== undefined && ((status >= 200 && status < 300) || accept.includes(status));
}

export function toQueryString(query: Record<string, string> | undefined): string {
  if (!query || Object.keys(query).length === 0) return '';
  return `?${new URLSearchParams(query).toString()}`;
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody<T>(text: string, contentType: string | undefined): T | undefined {
  if (text === '') return undefined;
  if (contentType?.includes('application/json')) return JSON.parse(text) as T;
  return text as T;
}

/** Docker's `{"message":"…"}` error body (or plain text). */
export function dockerErrorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // plain text body
  }
  return text.trim() || 'no message';
}

/** Maps an HTTP error status from Docker to a SlipwayError; `details.status` keeps the HTTP status. */
export function dockerApiError(status: number, bodyText: string, req: DockerRequest): SlipwayError {
  const message = dockerErrorMessage(bodyText);
  const details = { status, method: req.method, path: req.path, dockerMessage: message };
  if (status === 404 && (/no such image/i.test(message) || req.path.startsWith('/images/'))) {
    return new SlipwayError('IMAGE_NOT_FOUND', `image not found: ${message}`, {
      hint:
        'the image must exist on this Docker host (Slipway never ' +
        'pulls): build it first, or `docker pull` / `docker load` it',
      details,
    });
  }
  if (status === 404 && /no such container/i.test(message)) {
    return new SlipwayError('NOT_FOUND', `container not found: ${message}`, { details });
  }
  return new SlipwayError('INTERNAL', `Docker: ${message}`, { details });
}

/** The caller's abort reason; bare DOMException aborts/timeouts become ABORTED / TIMEOUT SlipwayErrors. */
function callerAbortError(signal: AbortSignal, req: DockerRequest): Error {
  const reason = abortError(signal);
  if (reason instanceof SlipwayError) return reason;
  if (reason.name === 'TimeoutError') {
    return new SlipwayError('TIMEOUT', `${req.method} ${req.path} to Docker timed out`, { cause: reason });
  }
  if (reason.name === 'AbortError')
    return new SlipwayError('ABORTED', `${req.method} ${req.path} to Docker aborted`, { cause: reason });
  return reason;
}

function transportError(err: unknown, endpoint: DockerEndpoint): SlipwayError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = 'socketPath' in endpoint ? endpoint.socketPath : `${endpoint.host}:${endpoint.port}`;
  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    return new SlipwayError('DOCKER_UNAVAILABLE', `Docker is not running (nothing answers at ${where})`, {
      hint: START_DOCKER_HINT,
      cause: err,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new SlipwayError('DOCKER_UNAVAILABLE', `permission denied on the Docker socket ${where}`, {
      hint: 'run Slipway as root or as a user in the `docker` group',
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  if (
    'tls' in endpoint &&
    endpoint.tls &&
    (/CERT|SIGNATURE|TLS|SSL/.test(code ?? '') || /certificate|ssl|tls/i.test(message))
  )
    return new SlipwayError('DOCKER_UNAVAILABLE', `the TLS handshake with Docker at ${where} failed: ${message}`, {
      hint:
        "the CA must be the one that signed the engine's certificate (for this host name or IP), and the engine " +
        'must trust the CA of the client certificate (dockerd --tlsverify --tlscacert)',
      cause: err,
    });
  return new SlipwayError('INTERNAL', `talking to Docker at ${where} failed: ${message}`, { cause: err });
}
