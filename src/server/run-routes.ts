import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { SlipwayError, toSlipwayError } from '../core/errors.js';
import { DockerStreamDemuxer } from '../engine/docker-log-stream.js';
import type { Slipway } from '../main.js';
import type { RunService } from '../runs/run-service.js';
import { route, readJson, startNdjson, writeNdjson, type Route } from './http-kit.js';

/** The in-band end of an interactive run: an OSC sequence terminals ignore, carrying the exit code. */
export const EXIT_MARKER_PREFIX = '\u001b]slipway-exit;';

function parseRunBody(body: Record<string, unknown>): { command: string[]; release?: number } {
  const command = body['command'];
  if (!Array.isArray(command) || command.length === 0 || command.some((c) => typeof c !== 'string')) {
    throw new SlipwayError('INVALID_INPUT', 'command must be a non-empty list of strings', { hint: 'slipway run -a APP -- COMMAND [ARGS…]' });
  }
  const release = body['release'];
  if (release !== undefined && (typeof release !== 'number' || !Number.isInteger(release))) throw new SlipwayError('INVALID_INPUT', 'release must be a number');
  return { command: command as string[], ...(release === undefined ? {} : { release: release as number }) };
}

/** Non-interactive runs: output as NDJSON events (base64 chunks per stream), then the exit code. */
export function runRoutes(s: Slipway, runs: RunService): Route[] {
  return [
    route('POST', '/v1/apps/:app/runs', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const { command, release } = parseRunBody(await readJson(ctx.req));
      const run = await runs.start({ app, command, ...(release ? { release } : {}), stdin: false, tty: false });
      startNdjson(ctx.res);
      writeNdjson(ctx.res, { type: 'event', event: { type: 'info', text: `running in ${run.id.slice(0, 12)} (v${run.release})`, at: new Date().toISOString() } });
      const demux = new DockerStreamDemuxer();
      run.stream.on('data', (chunk: Buffer) => {
        for (const frame of demux.push(chunk)) writeNdjson(ctx.res, { type: 'output', stream: frame.stream, data: frame.payload.toString('base64') });
      });
      await new Promise((resolve) => run.stream.once('close', resolve));
      const exitCode = await run.finish();
      writeNdjson(ctx.res, { type: 'result', result: { exitCode, release: run.release } });
      ctx.res.end();
    }),
  ];
}

/** Interactive runs (`run -i`): an HTTP upgrade to a raw two-way stream between the CLI and the container. */
export async function handleRunUpgrade(s: Slipway, runs: RunService, req: http.IncomingMessage, socket: Duplex, url: URL): Promise<void> {
  const match = /^\/v1\/apps\/([^/]+)\/runs\/attach$/.exec(url.pathname);
  if (!match) throw new SlipwayError('NOT_FOUND', `no upgrade route ${url.pathname}`);
  const app = s.apps.get(decodeURIComponent(match[1]!)).name;
  const { command, release } = parseRunBody(JSON.parse(url.searchParams.get('spec') ?? '{}') as Record<string, unknown>);
  const tty = url.searchParams.get('tty') === '1';
  const run = await runs.start({ app, command, ...(release ? { release } : {}), stdin: true, tty });
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: slipway-run\r\nConnection: Upgrade\r\n\r\n');
  const demux = tty ? undefined : new DockerStreamDemuxer();
  run.stream.on('data', (chunk: Buffer) => {
    if (!demux) return void socket.write(chunk);
    for (const frame of demux.push(chunk)) socket.write(frame.payload);
  });
  socket.on('data', (chunk: Buffer) => run.stream.write(chunk));
  socket.on('end', () => run.stream.end());
  socket.on('error', () => run.stream.destroy());
  await new Promise((resolve) => run.stream.once('close', resolve));
  const exitCode = await run.finish();
  socket.end(`${EXIT_MARKER_PREFIX}${exitCode}\u0007`);
}

export function rejectUpgrade(socket: Duplex, err: unknown): void {
  const error = toSlipwayError(err);
  const body = JSON.stringify({ error: error.toJSON() });
  socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
