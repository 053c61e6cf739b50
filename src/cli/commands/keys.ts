import { JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/keys.js'));

export const keyCommands: Command[] = [
  implemented({
    name: 'keys:add',
    group: 'deploy',
    args: 'FILE',
    options: [
      { name: 'name', value: 'NAME', description: "the key's name", default: "the key's comment" },
      JSON_OUTPUT,
    ],
    examples: ['slipway keys:add ~/.ssh/id_ed25519.pub', 'slipway keys:add ci.pub --name ci'],
    summary: 'add an SSH public key of yours (git push ssh://git@HOST:2222/APP.git)',
  }),
  implemented({
    name: 'keys',
    group: 'deploy',
    options: [JSON_OUTPUT],
    examples: ['slipway keys'],
    summary: 'list your SSH public keys',
  }),
  implemented({
    name: 'keys:remove',
    group: 'deploy',
    args: 'NAME|FINGERPRINT',
    options: [JSON_OUTPUT],
    examples: ['slipway keys:remove laptop', 'slipway keys:remove SHA256:…'],
    summary: 'remove one of your SSH public keys',
  }),
];
