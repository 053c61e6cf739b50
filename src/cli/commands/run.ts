import { SlipwayError } from '../../core/errors.js';
import { flag, has, parseReleaseVersion, requireApp } from '../args.js';
import { fromBody } from '../api-client.js';
import type { Command, CommandContext } from '../command.js';

const EXIT_MARKER = '\u001b]slipway-exit;';

export const runCommand: Command = {
  name: 'run',
  usage: 'run -a APP [--release vN] [-i] -- COMMAND [ARGS…]',
  summary: 'run a one-off command in a new container of the current release (same image, same config); its exit code is yours',
  async run(ctx) {
    const app = requireApp(ctx.args);
    const command = ctx.args.rest.length > 0 ? ctx.args.rest : ctx.args.positionals;
    if (command.length === 0) throw new SlipwayError('INVALID_INPUT', 'no command to run', { hint: 'slipway run -a APP -- COMMAND [ARGS…]' });
    const rawRelease = flag(ctx.args, 'release');
    const release = rawRelease === undefined ? undefined : parseReleaseVersion(rawRelease);
    const spec = { command, ...(release ? { release } : {}) };
    return has(ctx.args, 'interactive') ? interactive(ctx, app, spec) : streamed(ctx, app, spec);
  },
};

async function streamed(ctx: CommandContext, app: string, spec: { command: string[]; release?: number }): Promise<number> {
  const lines = ctx.api().stream('POST', `/v1/apps/${encodeURIComponent(app)}/runs`, { type: 'application/json', data: JSON.stringify(spec) });
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

async function interactive(ctx: CommandContext, app: string, spec: { command: string[]; release?: number }): Promise<number> {
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const query = new URLSearchParams({ spec: JSON.stringify(spec), tty: tty ? '1' : '0' });
  const socket = await ctx.api().upgrade(`/v1/apps/${encodeURIComponent(app)}/runs/attach?${query}`);
  if (tty) process.stdin.setRawMode(true);
  process.stdin.pipe(socket);
  let tail = '';
  let exitCode = 1;
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      const text = tail + chunk.toString('latin1');
      const at = text.indexOf(EXIT_MARKER);
      if (at >= 0) {
        process.stdout.write(Buffer.from(text.slice(0, at), 'latin1'));
        exitCode = Number(/^(\d+)/.exec(text.slice(at + EXIT_MARKER.length))?.[1] ?? 1);
        tail = '';
        return;
      }
      // Hold back a possible start of the marker split across chunks.
      const keep = Math.min(text.length, EXIT_MARKER.length);
      process.stdout.write(Buffer.from(text.slice(0, text.length - keep), 'latin1'));
      tail = text.slice(text.length - keep);
    });
    socket.on('close', () => resolve());
  });
  if (tail && !tail.startsWith(EXIT_MARKER)) process.stdout.write(Buffer.from(tail, 'latin1'));
  if (tty) process.stdin.setRawMode(false);
  process.stdin.unpipe(socket);
  process.stdin.pause();
  return exitCode;
}
