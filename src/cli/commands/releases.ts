import { APP, JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/releases.js'));

export const releasesCommand: Command = implemented({
  name: 'releases',
  group: 'deploy',
  options: [
    APP,
    { name: 'num', short: 'n', value: 'N', description: 'only the newest N releases', default: 'all' },
    JSON_OUTPUT,
  ],
  examples: ['slipway releases -a shop', 'slipway releases -a shop -n 5'],
  summary: 'list releases (newest first): version, status, image, config names, description',
});

export const releaseInfoCommand: Command = implemented({
  name: 'releases:info',
  group: 'deploy',
  args: 'vN',
  options: [APP, JSON_OUTPUT],
  examples: ['slipway releases:info -a shop v3'],
  summary: 'everything about one release: build, image, commit, config names, status, its deployments',
});
