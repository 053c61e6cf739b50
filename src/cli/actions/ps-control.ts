import { SlipwayError } from '../../core/errors.js';
import { has, requireApp } from '../args.js';
import { followOperation } from '../run-stream.js';
import type { CommandContext, CommandRuns } from '../command.js';
import { attachRun, commandOf, streamRun } from './run.js';
import type { StartOutcome, StopOutcome } from '../../deploy/process-control.js';

const appPath = (app: string) => `/v1/apps/${encodeURIComponent(app)}`;

/** Streams a ps:stop / ps:start operation and returns its result. */
async function operate<T>(ctx: CommandContext, app: string, verb: 'stop' | 'start', body: unknown): Promise<T> {
  const lines = ctx.api().stream('POST', `${appPath(app)}/ps/${verb}`, {
    type: 'application/json',
    data: JSON.stringify(body),
  });
  return (await followOperation(ctx, lines)) as T;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

export const runs = {
  async 'ps:exec'(ctx) {
    const app = requireApp(ctx.args);
    const hint = 'slipway ps:exec -a APP [web.1] -- COMMAND [ARGS…]';
    if (ctx.args.rest.length === 0)
      throw new SlipwayError('INVALID_INPUT', 'no command to run', { hint: `put the command after --: ${hint}` });
    if (ctx.args.positionals.length > 1)
      throw new SlipwayError('INVALID_INPUT', `name one process, not ${ctx.args.positionals.length}`, { hint });
    const [dyno] = ctx.args.positionals;
    const spec = { command: commandOf(ctx, hint), ...(dyno ? { dyno } : {}) };
    return has(ctx.args, 'interactive')
      ? attachRun(ctx, `${appPath(app)}/exec/attach`, spec)
      : streamRun(ctx, `${appPath(app)}/exec`, spec);
  },
  async 'ps:stop'(ctx) {
    const app = requireApp(ctx.args);
    const targets = ctx.args.positionals;
    if (targets.length === 0)
      throw new SlipwayError('INVALID_INPUT', 'what to stop?', {
        hint: `slipway ps:stop -a ${app} worker (a process type) or run.ab12cd (a one-off)`,
      });
    const result = await operate<StopOutcome>(ctx, app, 'stop', { targets });
    if (ctx.json) return;
    for (const o of result.oneOffs)
      ctx.output.out(`stopped ${o.dyno}${o.exitCode === undefined ? '' : ` (exit code ${o.exitCode})`}`);
    if (result.already.length > 0) ctx.output.out(`already stopped: ${result.already.join(', ')}`);
    if (result.stopped.length > 0)
      ctx.output.out(
        `stopped ${result.stopped.join(', ')} of ${app} in ${seconds(result.rollout?.ms ?? 0)}; ` +
          `bring it back with \`slipway ps:start -a ${app} ${result.stopped.join(' ')}\``,
      );
  },
  async 'ps:start'(ctx) {
    const app = requireApp(ctx.args);
    const result = await operate<StartOutcome>(ctx, app, 'start', { types: ctx.args.positionals });
    if (ctx.json) return;
    ctx.output.out(
      result.started.length > 0
        ? `started ${result.started.join(', ')} of ${app} in ${seconds(result.rollout.ms)}`
        : `nothing of ${app} was stopped; every process of its formation runs (${seconds(result.rollout.ms)})`,
    );
  },
} satisfies CommandRuns;
