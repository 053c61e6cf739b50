import { APP, JSON_STREAM, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/rollback.js'));

export const rollbackCommand: Command = implemented({
  name: 'rollback',
  group: 'deploy',
  args: '[vN]',
  options: [APP, JSON_STREAM],
  examples: ['slipway rollback -a shop', 'slipway rollback -a shop v3'],
  summary: 'make release vN+1 from an earlier release (default: the one before the current) and roll it out',
});
