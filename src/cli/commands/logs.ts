import { APP, JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/logs.js'));

export const logsCommand: Command = implemented({
  name: 'logs',
  group: 'processes',
  options: [
    APP,
    { name: 'follow', short: 'f', description: 'keep following, across deploys' },
    { name: 'ps', value: 'TYPE', description: 'only this process type' },
    {
      name: 'source',
      value: 'SOURCE',
      description:
        'app (the containers), router (the access log: method, path, status, timings, bytes, client; ' +
        'never headers, bodies or query strings) or all',
      default: 'app',
      choices: ['app', 'router', 'all'],
    },
    { name: 'tail', short: 'n', value: 'LINES', description: 'lines of backlog (0-10000)', default: '100' },
    JSON_OUTPUT,
  ],
  examples: [
    'slipway logs -a shop -n 500',
    'slipway logs -a shop -f --ps web',
    'slipway logs -a shop --source router -f',
  ],
  summary: 'show (and with -f follow, across deploys) the logs of every container, or the router access log',
});
