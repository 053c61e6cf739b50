import { APP, JSON_OUTPUT, JSON_STREAM, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/apps.js'));
const settingsImplemented = implementedIn(() => import('../actions/app-settings.js'));

export const appsCommands: Command[] = [
  implemented({
    name: 'apps',
    group: 'apps',
    options: [JSON_OUTPUT],
    examples: ['slipway apps'],
    summary: 'list the apps with their current release and age',
  }),
  implemented({
    name: 'apps:create',
    group: 'apps',
    args: 'NAME',
    options: [JSON_OUTPUT],
    examples: ['slipway apps:create shop'],
    summary: 'create an app (answers at NAME.<SLIPWAY_DOMAIN>)',
  }),
  implemented({
    name: 'apps:info',
    group: 'apps',
    args: '[NAME]',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway apps:info -a shop', 'slipway apps:info shop --json'],
    summary: 'one report: URLs, release, formation, settings, domains, certificate, limits, maintenance, problems',
  }),
  implemented({
    name: 'apps:rename',
    group: 'apps',
    args: 'OLD NEW',
    options: [JSON_STREAM],
    examples: ['slipway apps:rename shop store'],
    summary: 'rename an app: new default host, everything follows, containers restart with zero downtime',
    details:
      'Like Heroku: the app answers at NEW.<SLIPWAY_DOMAIN> and no longer at OLD.<SLIPWAY_DOMAIN>; its custom ' +
      'domains, certificate, config, releases, builds and logs follow. Containers carry the app name in ' +
      'their labels and environment, so they are replaced one by one (start, health check, drain) — no ' +
      'request fails. Refused while the app deploys or when NEW exists.',
  }),
  implemented({
    name: 'apps:destroy',
    group: 'apps',
    args: 'NAME',
    options: [{ name: 'confirm', value: 'NAME', description: 'the app name again, to confirm' }, JSON_OUTPUT],
    examples: ['slipway apps:destroy shop --confirm shop'],
    summary: 'remove an app, its containers, releases and config',
  }),
  settingsImplemented({
    name: 'apps:settings',
    group: 'config',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway apps:settings -a shop'],
    summary: 'show port, health check, drain and stop settings',
  }),
  settingsImplemented({
    name: 'apps:settings:set',
    group: 'config',
    args: 'KEY=VALUE…',
    options: [APP, JSON_OUTPUT],
    examples: [
      'slipway apps:settings:set -a shop healthcheck.path=/health drain.timeout=30s',
      'slipway apps:settings:set -a shop resources.web.memory=1g logs.max-size=20m',
    ],
    summary: 'change settings (used by the next deploy; resource limits restart the affected processes)',
  }),
  settingsImplemented({
    name: 'ps:resize',
    group: 'processes',
    args: '[TYPE [memory=SIZE] [cpu=N] [pids=N]]',
    options: [APP, JSON_OUTPUT],
    examples: [
      'slipway ps:resize -a shop',
      'slipway ps:resize -a shop web memory=1g cpu=1',
      "slipway ps:resize -a shop '*' pids=256",
    ],
    summary: 'show or change the memory, CPU and process limits of a process type; running containers change in place',
  }),
];
