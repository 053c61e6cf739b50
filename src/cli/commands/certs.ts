import { APP, JSON_OUTPUT, type Command, type OptionSpec, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/certs.js'));
const PLATFORM: OptionSpec = {
  name: 'platform',
  description: "the remote API host's certificate (slipway.<domain>) instead of an app's",
};

export const certsCommands: Command[] = [
  implemented({
    name: 'certs',
    group: 'routing',
    options: [APP, PLATFORM, JSON_OUTPUT],
    examples: ['slipway certs -a shop', 'slipway certs --platform   # the fingerprint clients pin at login'],
    summary: "show the app's TLS certificate: subject, SANs, expiry, hosts it is served for",
  }),
  implemented({
    name: 'certs:add',
    group: 'routing',
    args: 'CERT_FILE KEY_FILE',
    options: [APP, PLATFORM, JSON_OUTPUT],
    examples: [
      'slipway certs:add -a shop fullchain.pem privkey.pem',
      'slipway certs:add --platform fullchain.pem privkey.pem   # for https://slipway.<domain>',
    ],
    summary: "serve HTTPS for the app's domains with this certificate (replaces the current one, no reload)",
  }),
  implemented({
    name: 'certs:remove',
    group: 'routing',
    options: [APP, PLATFORM, JSON_OUTPUT],
    examples: ['slipway certs:remove -a shop', 'slipway certs:remove --platform'],
    summary: "remove the app's certificate (HTTPS falls back to the default self-signed one)",
  }),
];
