import { JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/setup.js'));

export const setupCommand: Command = implemented({
  name: 'setup',
  group: 'server',
  options: [{ name: 'check', description: 'only report what is missing, change nothing' }, JSON_OUTPUT],
  examples: ['slipway setup', 'slipway setup --check'],
  summary:
    'install and start what Slipway needs on this host (Docker Engine, HAProxy, SLIPWAY_HOME); --check only reports',
});
