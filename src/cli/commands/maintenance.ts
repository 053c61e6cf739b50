import { APP, JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/maintenance.js'));

export const maintenanceCommands: Command[] = [
  implemented({
    name: 'maintenance',
    group: 'apps',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway maintenance -a shop'],
    summary: 'show whether the app is in maintenance mode',
  }),
  implemented({
    name: 'maintenance:on',
    group: 'apps',
    options: [
      APP,
      { name: 'page', value: 'FILE', description: "the app's own maintenance page (HTML, at most 12 KiB); kept" },
      { name: 'default-page', description: "go back to Slipway's page (forget the app's page)" },
      {
        name: 'retry-after',
        value: 'DURATION',
        description: 'the Retry-After the 503 carries (e.g. 90s, 5m; bare = seconds)',
        default: '60s, or the last one given',
      },
      JSON_OUTPUT,
    ],
    examples: [
      'slipway maintenance:on -a shop',
      'slipway maintenance:on -a shop --page maintenance.html --retry-after 10m',
    ],
    summary: 'answer every request with a 503 page (Retry-After); the containers keep running',
    details:
      'The router (HAProxy) answers itself, without a reload: the containers stay in the backend, checked ' +
      'and ready, and deploys, `run` and `logs` keep working. The state is stored, so a restarted ' +
      'HAProxy keeps it. A new page is loaded with a seamless reload.',
  }),
  implemented({
    name: 'maintenance:off',
    group: 'apps',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway maintenance:off -a shop'],
    summary: 'serve the app again (no reload; nothing restarts)',
  }),
];
