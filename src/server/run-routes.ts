import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { SlipwayError, httpStatusFor, toSlipwayError } from '../core/errors.js';
import type { Slipway } from '../slipway.js';
import { RUN_PROTOCOL } from '../runs/run-frames.js';
import { relayInteractive, runOutput } from '../runs/run-relay.js';
import type { RunService, StartedRun } from '../runs/run-service.js';
import { route, startNdjson, writeNdjson, writeNdjsonPaced, type RequestContext, type Route } from './http-kit.js';
import { execBody } from './process-schemas.js';
import { parseInput, readBody } from './request-body.js';
import { runBody } from './api-schemas.js';
import { decodePathParam } from './request-guard.js';

/**
 * Non-interactive runs: output as NDJSON events (base64 chunks per stream) at the client's pace, then the exit code.
 */
export function runRoutes(s: Slipway, runs: RunService): Route[] {
  return [
    route('POST', '/v1/apps/:app/runs', async (ctx) => {
      const app = s.apps.get(ctx.params['app']!).name;
      const { command, release } = await readBody(ctx.req, runBody);
      const run = await runs.start({ app, command, ...(release ? { release } : {}), stdin: false, tty: false });
      await streamRunOutput(ctx, run, `running in ${run.id.slice(0, 12)} (v${run.release})`);
    }),
  ];
}

/**
 * A started run or exec as NDJSON: a first info line, its output (base64 chunks per stream) at the
 * client's pace, then its exit code. A client that leaves takes the process with it.
 */
export async function streamRunOutput(ctx: RequestContext, run: StartedRun, info: string): Promise<void> {
  const onLeave = () => void run.cancel();
  ctx.signal.addEventListener('abort', onLeave, { once: true });
  if (ctx.signal.aborted) return void (await run.cancel());
  let exitCode: number;
  try {
    startNdjson(ctx.res);
    await writeNdjsonPaced(
      ctx.res,
      { type: 'event', event: { type: 'info', text: info, at: new Date().toISOString() } },
      ctx.signal,
    );
    const output = runOutput(run);
    // Pulled, not pushed: while the client's socket is full the container's stream is not read.
    for await (const chunk of run.stream) {
      for (const part of output(chunk as Buffer))
        await writeNdjsonPaced(
          ctx.res,
          { type: 'output', stream: part.stream, data: part.payload.toString('base64') },
          ctx.signal,
        );
    }
    exitCode = await run.finish();
  } catch (err) {
    await run.cancel();
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onLeave);
  }
  writeNdjson(ctx.res, { type: 'result', result: { exitCode, release: run.release } });
  ctx.res.end();
}

/**
 * Interactive runs (`run -i`) and commands in a running process (`ps:exec -i`): an HTTP upgrade to a
 * framed two-way stream between the CLI and the container.
 */
export async function handleRunUpgrade(
  s: Slipway,
  runs: RunService,
  req: IncomingMessage,
  socket: Duplex,
  url: URL,
): Promise<void> {
  const match = /^\/v1\/apps\/([^/]+)\/(runs|exec)\/attach$/.exec(url.pathname);
  if (!match) throw new SlipwayError('NOT_FOUND', `no upgrade route ${url.pathname}`);
  if (req.headers.upgrade !== RUN_PROTOCOL) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `interactive runs speak ${RUN_PROTOCOL}, not ${JSON.stringify(String(req.headers.upgrade ?? '').slice(0, 40))}`,
      {
        hint: 'use a slipway CLI of the same version as the server',
      },
    );
  }
  const app = s.apps.get(decodePathParam(match[1]!)).name;
  const spec = parseSpec(url.searchParams.get('spec'));
  const tty = url.searchParams.get('tty') === '1';
  const run = match[2] === 'exec' ? await startExec(s, app, spec, tty) : await startRun(runs, app, spec, tty);
  if (socket.destroyed) return void (await run.cancel());
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${RUN_PROTOCOL}\r\nConnection: Upgrade\r\n\r\n`);
  await relayInteractive(run, socket);
}

async function startRun(runs: RunService, app: string, spec: Record<string, unknown>, tty: boolean) {
  const { command, release } = parseInput(runBody, spec, 'spec');
  return runs.start({ app, command, ...(release ? { release } : {}), stdin: true, tty });
}

async function startExec(s: Slipway, app: string, spec: Record<string, unknown>, tty: boolean) {
  const { command, dyno } = parseInput(execBody, spec, 'spec');
  return s.execs.start({ app, command, ...(dyno ? { dyno } : {}), stdin: true, tty });
}

function parseSpec(raw: string | null): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw ?? '{}');
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new SlipwayError('INVALID_INPUT', 'spec must be a JSON object with a command', {
    hint: 'slipway run -i -a APP -- COMMAND [ARGS…]',
  });
}

export function rejectUpgrade(socket: Duplex, err: unknown): void {
  const error = toSlipwayError(err);
  const body = JSON.stringify({ error: error.toJSON() });
  const status = httpStatusFor(error.code);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
