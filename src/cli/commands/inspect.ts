import { APP, JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/inspect.js'));

export const inspectCommand: Command = implemented({
  name: 'inspect',
  group: 'deploy',
  args: 'CONTAINER|vN',
  options: [APP, JSON_OUTPUT],
  examples: ['slipway inspect -a shop v3', 'slipway inspect -a shop 3f2a9c1b0d4e'],
  summary: 'walk container → release → build → image → commit',
});
