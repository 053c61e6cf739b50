import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { SlipwayError, httpStatusFor, toSlipwayError } from '../core/errors.js';
import type { AuthPrincipal } from '../auth/auth-service.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** Who the request authenticated as (recorded on releases, builds, …); never taken from a client header. */
  actor: string;
  /** The user and token behind it. */
  principal?: AuthPrincipal;
  /** The client's address (through HAProxy: the one it forwarded), as the audit log keeps it. */
  source?: string;
}

export type Handler = (ctx: RequestContext) => Promise<void>;

export interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

/** A route that is not bearer-authenticated: its request proves itself (a webhook's signature). */
export interface PublicRoute extends Route {
  /** Who the audit log names for it. */
  actor(params: Record<string, string>): string;
}

/** `/v1/apps/:app/config` → a route with named params. */
export function route(method: string, path: string, handler: Handler): Route {
  const keys: string[] = [];
  const source = path.replace(/:([a-zA-Z]+)/g, (_, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { method, pattern: new RegExp(`^${source}$`), keys, handler };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const error = toSlipwayError(err);
  if (res.headersSent) {
    writeNdjson(res, { type: 'error', error: error.toJSON() });
    res.end();
    return;
  }
  if (!res.headersSent) res.setHeader('x-slipway-error', error.code);
  sendJson(res, httpStatusFor(error.code), { error: error.toJSON() });
}

export async function readJson(req: IncomingMessage, limit = 1024 * 1024): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new SlipwayError('INVALID_INPUT', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (cause) {
    throw new SlipwayError('INVALID_INPUT', 'request body is not a JSON object', { cause });
  }
}

/** Starts a streamed NDJSON response (progress events, then a final `result` or `error` line). */
export function startNdjson(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'application/x-ndjson',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  // A client that vanished without closing (network gone) is noticed by TCP keep-alive probes.
  res.socket?.setKeepAlive(true, 30_000);
  // A quiet stream (`logs -f` of an idle app, a long build step) stays open through a proxy's idle timeout
  // (HAProxy's `timeout client`, 60 s, in front of the remote API): an empty line now and then, which
  // readers skip.
  const heartbeat = setInterval(() => {
    if (!res.writableEnded && !res.destroyed && !res.writableNeedDrain) res.write('\n');
  }, NDJSON_HEARTBEAT_MS);
  heartbeat.unref();
  const stop = () => clearInterval(heartbeat);
  res.once('close', stop);
  res.once('finish', stop);
}

/** How often a quiet NDJSON stream sends an empty line. */
export const NDJSON_HEARTBEAT_MS = 25_000;

/** Writes one line now, whatever is buffered; false when the client's buffer is full (or it left). */
export function writeNdjson(res: ServerResponse, value: unknown): boolean {
  if (res.writableEnded || res.destroyed) return false;
  return res.write(JSON.stringify(value) + '\n');
}

/** How long a stream waits for a client that reads nothing before it gives up on it. */
export const CLIENT_STALL_TIMEOUT_MS = 10 * 60_000;

/**
 * Waits until `out` can take more: its buffer drained. Throws ABORTED when the client leaves (or
 * `signal` aborts) and TIMEOUT (destroying `out`) when it reads nothing for `stallMs`.
 */
export function waitForDrain(out: Writable, signal?: AbortSignal, stallMs = CLIENT_STALL_TIMEOUT_MS): Promise<void> {
  if (out.destroyed || out.writableEnded || signal?.aborted) return Promise.reject(clientGone());
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (err?: Error) => {
      clearTimeout(timer);
      out.off('drain', onDrain);
      out.off('close', onClose);
      signal?.removeEventListener('abort', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(clientGone());
    const timer = setTimeout(() => {
      settle(
        new SlipwayError('TIMEOUT', `the client read nothing for ${Math.round(stallMs / 1000)} s`, {
          hint: 'the stream was closed; reconnect to read on',
        }),
      );
      out.destroy();
    }, stallMs);
    out.on('drain', onDrain);
    out.on('close', onClose);
    signal?.addEventListener('abort', onClose, { once: true });
  });
}

function clientGone(): SlipwayError {
  return new SlipwayError('ABORTED', 'the client went away');
}

/** Writes one line, then waits while the client's buffer is full (backpressure). */
export async function writeNdjsonPaced(res: ServerResponse, value: unknown, signal?: AbortSignal): Promise<void> {
  if (!writeNdjson(res, value)) await waitForDrain(res, signal);
}

/** Streams each value as an NDJSON line at the client's pace, then ends the response. */
export async function streamNdjson(ctx: RequestContext, values: AsyncIterable<unknown>): Promise<void> {
  startNdjson(ctx.res);
  for await (const value of values) await writeNdjsonPaced(ctx.res, value, ctx.signal);
  ctx.res.end();
}

export interface EventStreamLimits {
  /** Output lines are dropped (and counted) while more than this is buffered for the client. */
  outputBufferBytes?: number;
  /** Any other event is dropped while more than this is buffered. */
  eventBufferBytes?: number;
}

/**
 * Events of an operation that cannot pause (a build, a deploy): written while the client keeps up;
 * beyond a bounded buffer output lines are dropped and counted, and a notice says how many. The
 * final result or error is always written.
 */
export class EventStreamWriter {
  private notSent = 0;
  private readonly outputLimit: number;
  private readonly eventLimit: number;

  constructor(
    private readonly res: ServerResponse,
    limits: EventStreamLimits = {},
  ) {
    this.outputLimit = limits.outputBufferBytes ?? 256 * 1024;
    this.eventLimit = limits.eventBufferBytes ?? 4 * 1024 * 1024;
  }

  event(event: unknown): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    const isOutput = (event as { type?: unknown } | null)?.type === 'output';
    if (this.res.writableLength > (isOutput ? this.outputLimit : this.eventLimit)) {
      this.notSent++;
      return;
    }
    this.flushNotice();
    writeNdjson(this.res, { type: 'event', event });
  }

  /** The last line (`result` or `error`): never dropped. */
  final(line: { type: 'result'; result: unknown } | { type: 'error'; error: unknown }): void {
    this.flushNotice();
    writeNdjson(this.res, line);
  }

  private flushNotice(): void {
    if (this.notSent === 0) return;
    const text = `${this.notSent} lines not sent, client too slow`;
    this.notSent = 0;
    writeNdjson(this.res, { type: 'event', event: { type: 'info', text, at: new Date().toISOString() } });
  }
}

/** Runs a long operation as a stream: events as they happen (bounded), then its result or its error. */
export async function streamOperation<T>(
  ctx: RequestContext,
  run: (emit: (event: unknown) => void) => Promise<T>,
  limits?: EventStreamLimits,
): Promise<void> {
  // The stream starts with the first event: an operation refused before it did anything (bad input,
  // a deploy lock) answers with a plain error and its own HTTP status (400, 409, …), not a 200 stream.
  let out: EventStreamWriter | undefined;
  const writer = (): EventStreamWriter => {
    if (!out) {
      startNdjson(ctx.res);
      out = new EventStreamWriter(ctx.res, limits);
    }
    return out;
  };
  try {
    const result = await run((event) => writer().event(event));
    writer().final({ type: 'result', result });
  } catch (err) {
    if (!out) return sendError(ctx.res, err);
    out.final({ type: 'error', error: toSlipwayError(err).toJSON() });
  }
  ctx.res.end();
}
