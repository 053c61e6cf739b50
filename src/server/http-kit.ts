import type { IncomingMessage, ServerResponse } from 'node:http';
import { SlipwayError, httpStatusFor, toSlipwayError } from '../core/errors.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}

export type Handler = (ctx: RequestContext) => Promise<void>;

export interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
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
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.flushHeaders();
}

export function writeNdjson(res: ServerResponse, value: unknown): void {
  if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify(value) + '\n');
}

/** Runs a long operation as a stream: events as they happen, then its result or its error. */
export async function streamOperation<T>(ctx: RequestContext, run: (emit: (event: unknown) => void) => Promise<T>): Promise<void> {
  startNdjson(ctx.res);
  try {
    const result = await run((event) => writeNdjson(ctx.res, { type: 'event', event }));
    writeNdjson(ctx.res, { type: 'result', result });
  } catch (err) {
    writeNdjson(ctx.res, { type: 'error', error: toSlipwayError(err).toJSON() });
  }
  ctx.res.end();
}
