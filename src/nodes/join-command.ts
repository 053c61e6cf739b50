import { SlipwayError } from '../core/errors.js';
import { shellQuote } from '../cli/shell-quote.js';

/**
 * The one line `slipway nodes:add` prints for a new server: install Docker from Debian when it is
 * missing, then join this Swarm as a worker. The token is a secret (it lets any machine join): it
 * appears only in this line, never in a log or event. Token and address are checked and quoted.
 */

const TOKEN_RE = /^SWMTKN-1-[A-Za-z0-9]+-[A-Za-z0-9]+$/;
const ADDR_RE = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

/** Slipway's registry (`HOST:PORT`) and the CA its certificate is from: the new server must trust it to pull. */
export interface RegistryTrust {
  server: string;
  caPem: string;
}

const CA_RE = /^-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/;

export function joinCommand(token: string, managerAddr: string, trust?: RegistryTrust): string {
  if (!TOKEN_RE.test(token)) throw new SlipwayError('INTERNAL', 'the Swarm join token has an unexpected form');
  if (!ADDR_RE.test(managerAddr))
    throw new SlipwayError('INTERNAL', `the Swarm manager address ${JSON.stringify(managerAddr)} is not HOST:PORT`);
  const install =
    'command -v docker >/dev/null 2>&1 || ' +
    '{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io; }';
  const join = `docker swarm join --token ${shellQuote(token)} ${shellQuote(managerAddr)}`;
  if (!trust) return `${install} && ${join}`;
  if (!ADDR_RE.test(trust.server) || !CA_RE.test(trust.caPem))
    throw new SlipwayError('INTERNAL', 'the registry address or its CA has an unexpected form');
  // Docker reads /etc/docker/certs.d/HOST:PORT/ca.crt at each pull: no restart. Base64 keeps the PEM one quoted word.
  const dir = shellQuote(`/etc/docker/certs.d/${trust.server}`);
  const ca = shellQuote(Buffer.from(trust.caPem).toString('base64'));
  const trustCa = `mkdir -p ${dir} && echo ${ca} | base64 -d > ${dir}/ca.crt`;
  return `${install} && ${trustCa} && ${join}`;
}
