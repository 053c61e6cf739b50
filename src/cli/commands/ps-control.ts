import { APP, JSON_STREAM, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/ps-control.js'));

export const psControlCommands: Command[] = [
  implemented({
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
  }),
  implemented({
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
  }),
  implemented({
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
  }),
];
