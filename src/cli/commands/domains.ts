import { APP, JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/domains.js'));

export const domainsCommands: Command[] = [
  implemented({
    name: 'domains',
    group: 'routing',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway domains -a shop'],
    summary: "list the app's hostnames (<app>.<SLIPWAY_DOMAIN> and custom domains)",
  }),
  implemented({
    name: 'domains:add',
    group: 'routing',
    args: 'HOST',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway domains:add -a shop www.shop.example'],
    summary: 'route a custom hostname to the app (no HAProxy reload)',
  }),
  implemented({
    name: 'domains:remove',
    group: 'routing',
    args: 'HOST',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway domains:remove -a shop www.shop.example'],
    summary: 'stop routing a custom hostname to the app',
  }),
];
