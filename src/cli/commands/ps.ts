import { APP, JSON_OUTPUT, JSON_STREAM, type Command, implementedIn } from '../command.js';
import { psControlCommands } from './ps-control.js';

const implemented = implementedIn(() => import('../actions/ps.js'));

export const psCommands: Command[] = [
  implemented({
    name: 'ps',
    group: 'processes',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway ps -a shop'],
    summary: 'list containers with release, state, router status and age',
  }),
  implemented({
    name: 'ps:scale',
    group: 'processes',
    args: 'TYPE=N…',
    options: [APP, JSON_STREAM],
    examples: ['slipway ps:scale -a shop web=3 worker=1'],
    summary: 'change the number of containers per process type, with zero downtime',
  }),
  implemented({
    name: 'ps:restart',
    group: 'processes',
    args: '[TYPE…]',
    options: [APP, JSON_STREAM],
    examples: ['slipway ps:restart -a shop', 'slipway ps:restart -a shop web'],
    summary: 'replace the containers of TYPE (default: all) with fresh ones, with zero downtime',
  }),
  ...psControlCommands,
];
