import { SlipwayError } from '../core/errors.js';
import { shellQuote } from '../cli/shell-quote.js';

/**
 * The one line `slipway nodes:add` prints for a new server: install Docker from Debian when it is
 * missing, then join this Swarm as a worker. The token is a secret (it lets any machine join): it
 * appears only in this line, never in a log or event. Token and address are checked and quoted.
 */

const TOKEN_RE = /^SWMTKN-1-[A-Za-z0-9]+-[A-Za-z0-9]+$/;
const ADDR_RE = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

export function joinCommand(token: string, managerAddr: string): string {
  if (!TOKEN_RE.test(token)) throw new SlipwayError('INTERNAL', 'the Swarm join token has an unexpected form');
  if (!ADDR_RE.test(managerAddr))
    throw new SlipwayError('INTERNAL', `the Swarm manager address ${JSON.stringify(managerAddr)} is not HOST:PORT`);
  const install =
    'command -v docker >/dev/null 2>&1 || ' +
    '{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io; }';
  return `${install} && docker swarm join --token ${shellQuote(token)} ${shellQuote(managerAddr)}`;
}
