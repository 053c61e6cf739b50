import { SlipwayError } from '../../core/errors.js';
import { flag, has, parseReleaseVersion, requireApp } from '../args.js';
import { fromBody } from '../api-client.js';
import { APP, JSON_OUTPUT, type Command, type CommandContext } from '../command.js';
import { RUN_PROTOCOL, RunFrameDecoder } from '../../runs/run-frames.js';
import type { Duplex } from 'node:stream';

export const runCommand: Command = {
  name: 'run',
  group: 'processes',
  passthrough: true,
  args: '-- COMMAND [ARGS…]',
  options: [
    APP,
    { name: 'release', value: 'vN', description: 'run in this release instead of the current one' },
    { name: 'interactive', short: 'i', description: 'attach stdin (and a TTY when you have one)' },
    JSON_OUTPUT,
  ],
  examples: ['slipway run -a shop -- rake db:migrate', 'slipway run -i -a shop -- bash'],
  summary:
    'run a one-off command in a new container of the current release (same image, same config); its exit code is yours',
  async run(ctx) {
    const app = requireApp(ctx.args);
    const command = ctx.args.rest.length > 0 ? ctx.args.rest : ctx.args.positionals;
    if (command.length === 0)
      throw new SlipwayError('INVALID_INPUT', 'no command to run', { hint: 'slipway run -a APP -- COMMAND [ARGS…]' });
    const rawRelease = flag(ctx.args, 'release');
    const release = rawRelease === undefined ? undefined : parseReleaseVersion(rawRelease);
    const spec = { command, ...(release ? { release } : {}) };
    return has(ctx.args, 'interactive') ? interactive(ctx, app, spec) : streamed(ctx, app, spec);
  },
};

async function streamed(
  ctx: CommandContext,
  app: string,
  spec: { command: string[]; release?: number },
): Promise<number> {
  const lines = ctx.api().stream('POST', `/v1/apps/${encodeURIComponent(app)}/runs`, {
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

async function interactive(
  ctx: CommandContext,
  app: string,
  spec: { command: string[]; release?: number },
): Promise<number> {
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const query = new URLSearchParams({ spec: JSON.stringify(spec), tty: tty ? '1' : '0' });
  const socket = await ctx.api().upgrade(`/v1/apps/${encodeURIComponent(app)}/runs/attach?${query}`, RUN_PROTOCOL);
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
    socket.on('error', (err) => (failure ??= err));
    socket.on('close', () => {
      if (failure) return reject(failure);
      if (exitCode === undefined) {
        return reject(
          new SlipwayError('SERVER_UNAVAILABLE', 'the connection to the server ended before the command did', {
            hint: 'the server may have restarted; run the command again',
          }),
        );
      }
      resolve(exitCode);
    });
  });
}
