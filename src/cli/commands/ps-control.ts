import { SlipwayError } from '../../core/errors.js';
import { has, requireApp } from '../args.js';
import { followOperation } from '../run-stream.js';
import { APP, JSON_STREAM, type Command, type CommandContext } from '../command.js';
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

export const psControlCommands: Command[] = [
  {
    name: 'ps:exec',
    group: 'processes',
    passthrough: true,
    args: '[PROCESS] -- COMMAND [ARGS…]',
    options: [APP, { name: 'interactive', short: 'i', description: 'attach stdin (and a TTY when you have one)' }],
    examples: [
      'slipway ps:exec -a shop -- ls -la',
      'slipway ps:exec -i -a shop web.2 -- bash',
      'slipway ps:exec -a shop worker.1 -- cat /proc/1/status',
    ],
    summary:
      'run a command inside a running container of the app (default: the first web process); its exit code is yours',
    details:
      'PROCESS is a name `slipway ps` shows (web.1, worker.2, run.ab12cd); without one the first web process is ' +
      "used, or the only process when there is no web. The command runs with the container's own environment " +
      'and user, next to the process (not in a new container: use `slipway run` for that). With -i, leaving ' +
      '(Ctrl-D, or the connection closing) ends the command.',
    async run(ctx) {
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
  },
  {
    name: 'ps:stop',
    group: 'processes',
    args: 'TYPE…|run.ID…',
    options: [APP, JSON_STREAM],
    examples: ['slipway ps:stop -a shop worker', 'slipway ps:stop -a shop run.ab12cd'],
    summary: 'stop a process type (its formation count is kept; web leaves the router first) or a one-off',
    details:
      'A stopped type runs no container until `slipway ps:start`: deploys and the supervisor leave it stopped, ' +
      '`slipway ps` shows it as stopped, and `ps:scale` still changes the count it comes back with. Web ' +
      'containers are drained out of HAProxy before they get SIGTERM (the app answers 503 while web is stopped). ' +
      'A one-off (run.ab12cd) gets SIGTERM, then SIGKILL after stop.grace; its logs are kept.',
    async run(ctx) {
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
  },
  {
    name: 'ps:start',
    group: 'processes',
    args: '[TYPE…]',
    options: [APP, JSON_STREAM],
    examples: ['slipway ps:start -a shop worker', 'slipway ps:start -a shop'],
    summary: 'start stopped process types (default: all) through the normal safe sequence',
    details:
      'Each container of the type starts, passes its health check and (web) is seen UP by HAProxy before it ' +
      'takes traffic, like a deploy. Processes that their restart mode left down (`restart.TYPE=never` or ' +
      '`on-failure`) start again too.',
    async run(ctx) {
      const app = requireApp(ctx.args);
      const result = await operate<StartOutcome>(ctx, app, 'start', { types: ctx.args.positionals });
      if (ctx.json) return;
      ctx.output.out(
        result.started.length > 0
          ? `started ${result.started.join(', ')} of ${app} in ${seconds(result.rollout.ms)}`
          : `nothing of ${app} was stopped; every process of its formation runs (${seconds(result.rollout.ms)})`,
      );
    },
  },
];
