import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { IncomingMessage } from 'node:http';
import { SlipwayError, isSlipwayError } from '../core/errors.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from '../config/environment.js';
import { LIMIT_VARIABLES, tooLarge } from '../image-build/archive-check.js';
import { scanFeed, type TarFeed } from '../image-build/archive-extract.js';
import type { RequestContext } from './http-kit.js';

/**
 * Receiving an uploaded source (deploy DIR, build DIR), in one place. The body is a tar, or a tar
 * compressed once with gzip (`Content-Encoding: gzip` or gzip magic bytes); it is decompressed here
 * with the expanded limit applied to the decompressed bytes (a gzip bomb stops at the limit), every
 * member is checked while it streams (names, links, counts: archive-check.ts), and the plain tar is
 * written to SLIPWAY_HOME/tmp. Anything else is INVALID_INPUT, a limit is PAYLOAD_TOO_LARGE (413)
 * with a hint naming the variable. A refused client still gets the answer: the rest of its body is
 * read and dropped (up to DRAIN_MAX_BYTES / DRAIN_MAX_MS) instead of resetting the connection.
 */

export const UPLOAD_PREFIX = 'upload-';
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 10_000;

/** Counts bytes through a stream and fails with `error()` past `max`. */
function limiter(max: number, error: () => SlipwayError): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(error());
      else done(null, chunk);
    },
  });
}

/** Feeds the (decompressed) bytes to the member checker on their way to the file. */
function checking(feed: TarFeed): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      feed.write(chunk).then(() => done(null, chunk), done);
    },
    flush(done) {
      feed.end().then(() => done(), done);
    },
  });
}

function encodingOf(req: IncomingMessage): 'gzip' | 'identity' {
  const value = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === '' || value === 'identity') return 'identity';
  throw new SlipwayError(
    'INVALID_INPUT',
    `unsupported Content-Encoding ${JSON.stringify(value.slice(0, 40))} for an upload`,
    {
      hint: 'send a tar archive, plain or gzip-compressed (Content-Encoding: gzip)',
    },
  );
}

/** The first chunk of a stream, put back (to sniff gzip magic bytes). */
async function peek(stream: PassThrough): Promise<Buffer | undefined> {
  for (;;) {
    const chunk = stream.read() as Buffer | null;
    if (chunk) {
      stream.unshift(chunk);
      return chunk;
    }
    if (stream.readableEnded) return undefined;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        stream.off('readable', done);
        stream.off('end', done);
        stream.off('error', fail);
        resolve();
      };
      const fail = (err: Error) => {
        stream.off('readable', done);
        stream.off('end', done);
        reject(err);
      };
      stream.once('readable', done);
      stream.once('end', done);
      stream.once('error', fail);
    });
  }
}

/**
 * Reads and drops what is left of a refused request body, bounded; resolves once it has all been read (or the
 * client stopped sending). The answer is sent only then: a client still writing would otherwise see its write
 * fail (EPIPE, reset) before it reads the answer, which happens on a busy machine. Past the bound the
 * connection is closed.
 */
export function drainRefused(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      req.socket.destroy();
      resolve();
    }, DRAIN_MAX_MS);
    timer.unref();
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_MAX_BYTES) {
        req.socket.destroy();
        done();
      }
    });
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}

function mapped(err: unknown, signal: AbortSignal): SlipwayError {
  if (isSlipwayError(err)) return err;
  if (signal.aborted) return new SlipwayError('ABORTED', 'the client went away during the upload');
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('Z_') || /incorrect header check|invalid|unexpected end/i.test((err as Error).message ?? '')) {
    return new SlipwayError('INVALID_INPUT', 'the upload is not valid gzip data', {
      hint: 'send a tar archive, plain or compressed once with gzip',
      cause: err,
    });
  }
  return new SlipwayError('INTERNAL', `the upload could not be received: ${(err as Error).message ?? String(err)}`, {
    cause: err,
  });
}

/**
 * Receives the request body as a checked, decompressed tar file in `dir` and returns its path (the
 * caller removes it). On refusal nothing is left behind and the error is thrown for the route to send.
 */
export async function receiveUpload(
  ctx: RequestContext,
  dir: string,
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
): Promise<string> {
  const { req } = ctx;
  const file = join(dir, `${UPLOAD_PREFIX}${Date.now()}-${randomBytes(4).toString('hex')}.tar`);
  const receivedTooLarge = () => tooLarge('it sends', limits.maxReceivedBytes, LIMIT_VARIABLES.received);
  const expandedTooLarge = () => tooLarge('once decompressed it is', limits.maxExpandedBytes, LIMIT_VARIABLES.expanded);
  // `req` is piped into `body` (never handed to pipeline, which would destroy it on an error): a
  // refused request is then drained, and the client reads the answer.
  const body = new PassThrough();
  try {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxReceivedBytes) throw receivedTooLarge();
    let encoding = encodingOf(req);
    req.pipe(body);
    const first = await peek(body);
    if (first === undefined)
      throw new SlipwayError('INVALID_INPUT', 'the upload is empty', {
        hint: 'send the directory as a tar archive (slipway deploy DIR)',
      });
    if (first[0] === 0x1f && first[1] === 0x8b) encoding = 'gzip';
    const feed = scanFeed({ limits, what: 'the uploaded source', signal: ctx.signal });
    const received = limiter(limits.maxReceivedBytes, receivedTooLarge);
    const expanded = limiter(limits.maxExpandedBytes, expandedTooLarge);
    const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    if (encoding === 'gzip')
      await pipeline(body, received, createGunzip(), expanded, checking(feed), out, { signal: ctx.signal });
    else await pipeline(body, received, expanded, checking(feed), out, { signal: ctx.signal });
    return file;
  } catch (err) {
    req.unpipe(body);
    await rm(file, { force: true });
    if (!req.complete && !ctx.signal.aborted) await drainRefused(req);
    throw mapped(err, ctx.signal);
  }
}

/** Receives the upload into `dir` (receiveUpload), hands its file to `use`, and removes the file afterwards. */
export async function withUpload<T>(
  ctx: RequestContext,
  dir: string,
  limits: UploadLimits | undefined,
  use: (file: string) => Promise<T>,
): Promise<T> {
  const file = await receiveUpload(ctx, dir, limits);
  try {
    return await use(file);
  } finally {
    await rm(file, { force: true });
  }
}
