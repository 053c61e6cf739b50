import type http from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from '../engine/docker-log-stream.js';
import type { Duplex, Readable } from 'node:stream';
import { readFileSync, existsSync } from 'node:fs';
import { SlipwayError, type ErrorCode } from '../core/errors.js';
import { readEnvironment, slipwayPaths } from '../config/environment.js';
import { requestFor, tlsError, type RemoteConnection } from './remote-tls.js';
import { selectedRemote } from './remotes.js';

export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

export interface StreamLine {
  type: 'event' | 'result' | 'error' | 'output';
  stream?: 'stdout' | 'stderr';
  data?: string;
  event?: unknown;
  result?: unknown;
  error?: ApiErrorBody;
}

/** Talks to the Slipway server found under SLIPWAY_HOME (api.json + token), or to a remote over HTTPS. */
export class ApiClient {
  constructor(
    private readonly base: URL,
    private readonly token: string,
    private readonly conn?: RemoteConnection,
  ) {}

  /** The server's base URL (`http://127.0.0.1:7331`, or the remote's `https://slipway.example.com`). */
  get url(): URL {
    return new URL(this.base.href);
  }

  /** The remote named by --remote / SLIPWAY_REMOTE / `remotes:use`, else the local server. */
  static select(remoteFlag: string | undefined): ApiClient {
    const chosen = selectedRemote(remoteFlag);
    if (!chosen) return ApiClient.fromEnvironment();
    const { name, remote } = chosen;
    // SLIPWAY_TOKEN is for the local server only: a token of one server is never sent to another.
    return new ApiClient(new URL(remote.url), remote.token, {
      name,
      certificate: remote.certificate,
      fingerprint: remote.fingerprint,
      address: remote.address,
    });
  }

  /** How a remote is reached (its pinned certificate, an address override); undefined for the local server. */
  get connection(): RemoteConnection | undefined {
    return this.conn;
  }

  /** The API's base URL without a trailing slash (what webhook URLs start with). */
  get baseUrl(): string {
    return this.base.href.replace(/\/+$/, '');
  }

  static fromEnvironment(): ApiClient {
    const paths = slipwayPaths(readEnvironment().home);
    if (!existsSync(paths.apiInfo) || !existsSync(paths.token)) {
      throw new SlipwayError('SERVER_UNAVAILABLE', `no Slipway server is running for ${paths.home}`, {
        hint: "start it with `slipway server` (or set SLIPWAY_HOME to the server's state directory)",
      });
    }
    const info = JSON.parse(readFileSync(paths.apiInfo, 'utf8')) as { url: string };
    // SLIPWAY_TOKEN: another user's or a CI job's token (tokens:create) instead of the home's admin token.
    const token = process.env['SLIPWAY_TOKEN']?.trim() || readFileSync(paths.token, 'utf8').trim();
    return new ApiClient(new URL(info.url), token);
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(
      method,
      path,
      body === undefined ? undefined : { type: 'application/json', data: JSON.stringify(body) },
    );
    const text = await readAll(res);
    const parsed = text ? (JSON.parse(text) as { error?: ApiErrorBody } & T) : ({} as T & { error?: ApiErrorBody });
    if ((res.statusCode ?? 500) >= 400) throw fromBody(parsed.error);
    return parsed;
  }

  /** A streamed operation: yields each NDJSON line; the last one is `result` or `error`. */
  async *stream(
    method: string,
    path: string,
    body?: { type: string; data: string | Readable; headers?: Record<string, string> },
  ): AsyncIterable<StreamLine> {
    const res = await this.request(method, path, body);
    if ((res.statusCode ?? 500) >= 400) {
      const text = await readAll(res);
      throw fromBody((JSON.parse(text || '{}') as { error?: ApiErrorBody }).error);
    }
    // Pulled one chunk at a time: while the caller is busy, the server's stream waits.
    const splitter = new LineSplitter(MAX_STREAM_LINE_CHARS);
    const decoder = new StringDecoder('utf8');
    for await (const chunk of res) {
      for (const line of splitter.push(decoder.write(chunk as Buffer))) if (line.trim()) yield parseStreamLine(line);
    }
    for (const line of [...splitter.push(decoder.end()), ...splitter.flush()])
      if (line.trim()) yield parseStreamLine(line);
  }

  /** Opens a two-way stream (HTTP upgrade to `protocol`), e.g. for `run -i`. */
  upgrade(path: string, protocol: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const url = new URL(path, this.base);
      const req = requestFor(
        url,
        {
          agent: false,
          method: 'POST',
          headers: { authorization: `Bearer ${this.token}`, connection: 'Upgrade', upgrade: protocol },
        },
        this.conn,
      );
      req.on('upgrade', (res, socket, head) => {
        if (res.headers.upgrade !== protocol) {
          socket.destroy();
          return reject(
            new SlipwayError(
              'INTERNAL',
              `the server switched to ${JSON.stringify(res.headers.upgrade ?? '')}, not ${protocol}`,
              { hint: 'use a slipway CLI of the same version as the server' },
            ),
          );
        }
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', async (res) => {
        const text = await readAll(res);
        try {
          reject(fromBody((JSON.parse(text) as { error?: ApiErrorBody }).error));
        } catch {
          reject(new SlipwayError('INTERNAL', `the server refused the interactive session (HTTP ${res.statusCode})`));
        }
      });
      req.on('error', (err: NodeJS.ErrnoException) => reject(this.connectError(err)));
      req.end();
    });
  }

  private request(
    method: string,
    path: string,
    body?: { type: string; data: string | Readable; headers?: Record<string, string> },
  ): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      // A fresh connection per call: a reused keep-alive socket the server has just closed fails with
      // "socket hang up" (a CLI makes few calls, so pooling gains nothing).
      const req = requestFor(
        new URL(path, this.base),
        {
          agent: false,
          method,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(body ? { 'content-type': body.type, ...body.headers } : {}),
          },
        },
        this.conn,
      );
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        // The server refused an upload before reading all of it (e.g. 413): stop sending, read its answer.
        if ((res.statusCode ?? 500) >= 400 && body && typeof body.data !== 'string') {
          body.data.unpipe(req);
          body.data.destroy();
          req.end();
        }
        resolve(res);
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A write error (EPIPE, ECONNRESET) after the server answered: its answer is what counts.
        if (answered) return;
        reject(this.connectError(err));
      });
      if (!body) req.end();
      else if (typeof body.data === 'string') req.end(body.data);
      else {
        body.data.on('error', (err) => {
          if (!answered) req.destroy(err);
        });
        body.data.pipe(req);
      }
    });
  }

  private connectError(err: NodeJS.ErrnoException): Error {
    if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
      const remote = this.conn?.name;
      return new SlipwayError(
        'SERVER_UNAVAILABLE',
        `the Slipway server at ${this.base.origin}${remote ? ` (remote ${remote})` : ''} is not answering ` +
          `(${err.code})`,
        {
          hint: remote ? 'check the server, or use another remote: slipway remotes' : 'start it with `slipway server`',
        },
      );
    }
    return tlsError(err, this.base, this.conn);
  }
}

/** Longest NDJSON line the CLI accepts (a log line is at most 64 Ki characters, escaped). */
const MAX_STREAM_LINE_CHARS = 4 * 1024 * 1024;

function parseStreamLine(line: string): StreamLine {
  try {
    return JSON.parse(line) as StreamLine;
  } catch (cause) {
    throw new SlipwayError('INTERNAL', 'the server sent a line that is not JSON', {
      cause,
      hint: 'use a slipway CLI of the same version as the server',
    });
  }
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res) text += (chunk as Buffer).toString('utf8');
  return text;
}

export function fromBody(body: ApiErrorBody | undefined): SlipwayError {
  if (!body) return new SlipwayError('INTERNAL', 'the server answered with an error and no details');
  return new SlipwayError(body.code, body.message, {
    ...(body.hint ? { hint: body.hint } : {}),
    ...(body.details ? { details: body.details } : {}),
  });
}
