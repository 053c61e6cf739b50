import { SlipwayError } from '../../core/errors.js';
import { flag, has, parseReleaseVersion, requireApp } from '../args.js';
import { fromBody } from '../api-client.js';
import type { CommandContext, CommandRuns } from '../command.js';
import { RUN_PROTOCOL, RunFrameDecoder } from '../../runs/run-frames.js';
import type { Duplex } from 'node:stream';

/** The words after `--` (or the positionals): the command to run. */
export function commandOf(ctx: CommandContext, hint: string): string[] {
  const command = ctx.args.rest.length > 0 ? ctx.args.rest : ctx.args.positionals;
  if (command.length === 0) throw new SlipwayError('INVALID_INPUT', 'no command to run', { hint });
  return command;
}

function releaseOf(ctx: CommandContext): { release?: number } {
  const raw = flag(ctx.args, 'release');
  return raw === undefined ? {} : { release: parseReleaseVersion(raw) };
}

async function detached(ctx: CommandContext, app: string, spec: { command: string[]; release?: number }) {
  const { run } = await ctx
    .api()
    .json<{ run: { dyno: string; release: number; containerId: string } }>(
      'POST',
      `/v1/apps/${encodeURIComponent(app)}/runs/detached`,
      spec,
    );
  if (ctx.json) return ctx.output.out(JSON.stringify(run, null, 2));
  ctx.output.out(run.dyno);
  ctx.output.err(
    `started ${run.dyno} (v${run.release}) in the background; ` +
      `output: slipway logs -a ${app} --ps run; stop it: slipway ps:stop -a ${app} ${run.dyno}`,
  );
}

/** A non-interactive run or exec: the server streams its output, then its exit code (returned). */
export async function streamRun(ctx: CommandContext, path: string, spec: Record<string, unknown>): Promise<number> {
  const lines = ctx.api().stream('POST', path, {
    type: 'application/json',
    data: JSON.stringify(spec),
  });
  for await (const line of lines) {
    if (line.type === 'output' && line.data) {
      const bytes = Buffer.from(line.data, 'base64');
      if (line.stream === 'stderr') process.stderr.write(bytes);
      else process.stdout.write(bytes);
    } else if (line.type === 'error') throw fromBody(line.error);
    else if (line.type === 'result') {
      const result = line.result as { exitCode: number };
      if (ctx.json) ctx.output.out(JSON.stringify(result));
      return result.exitCode;
    }
  }
  throw new SlipwayError('INTERNAL', 'the server closed the stream before the command ended');
}

/** An interactive run or exec (`-i`): stdin to the process, its framed output back, its exit code returned. */
export async function attachRun(ctx: CommandContext, path: string, spec: Record<string, unknown>): Promise<number> {
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const query = new URLSearchParams({ spec: JSON.stringify(spec), tty: tty ? '1' : '0' });
  const socket = await ctx.api().upgrade(`${path}?${query}`, RUN_PROTOCOL);
  if (tty) process.stdin.setRawMode(true);
  process.stdin.pipe(socket);
  try {
    return await readRunFrames(socket);
  } finally {
    if (tty) process.stdin.setRawMode(false);
    process.stdin.unpipe(socket);
    process.stdin.pause();
  }
}

/** Demultiplexes the server's frames to stdout/stderr (pausing the socket while they are full) until the exit frame. */
function readRunFrames(socket: Duplex): Promise<number> {
  const decoder = new RunFrameDecoder();
  const full = new Set<NodeJS.WriteStream>();
  let exitCode: number | undefined;
  let failure: Error | undefined;
  const write = (out: NodeJS.WriteStream, data: Buffer) => {
    if (out.write(data) || full.has(out)) return;
    full.add(out);
    socket.pause();
    out.once('drain', () => {
      full.delete(out);
      if (full.size === 0) socket.resume();
    });
  };
  return new Promise((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) {
          if (frame.type === 'exit') exitCode = frame.exitCode;
          else if (frame.type === 'error') failure = fromBody(frame.error);
          else write(frame.type === 'stderr' ? process.stderr : process.stdout, frame.data);
        }
      } catch (err) {
        failure = err as Error;
        socket.destroy();
      }
    });
    // A write error after the exit frame (stdin still flowing into a socket the server has ended) changes
    // nothing: the command's exit code is known.
    let socketError: Error | undefined;
    socket.on('error', (err) => (socketError ??= err));
    socket.on('close', () => {
      if (failure) return reject(failure);
      if (exitCode !== undefined) return resolve(exitCode);
      reject(
        socketError ??
          new SlipwayError('SERVER_UNAVAILABLE', 'the connection to the server ended before the command did', {
            hint: 'the server may have restarted; run the command again',
          }),
      );
    });
  });
}

export const runs = {
  async run(ctx) {
    const app = requireApp(ctx.args);
    const spec = { command: commandOf(ctx, 'slipway run -a APP -- COMMAND [ARGS…]'), ...releaseOf(ctx) };
    const path = `/v1/apps/${encodeURIComponent(app)}`;
    if (has(ctx.args, 'detach')) {
      if (has(ctx.args, 'interactive'))
        throw new SlipwayError('INVALID_INPUT', '--detach and --interactive do not go together', {
          hint: 'a detached one-off has no terminal: drop -i, or drop --detach to work in it',
        });
      return detached(ctx, app, spec);
    }
    return has(ctx.args, 'interactive')
      ? attachRun(ctx, `${path}/runs/attach`, spec)
      : streamRun(ctx, `${path}/runs`, spec);
  },
} satisfies CommandRuns;
