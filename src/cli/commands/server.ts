import { type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/server.js'));

export const serverCommand: Command = implemented({
  name: 'server',
  group: 'server',
  options: [],
  examples: ['slipway server'],
  summary: 'run the control plane: API on 127.0.0.1:$SLIPWAY_API_PORT, deploy executor, HAProxy supervisor',
});
