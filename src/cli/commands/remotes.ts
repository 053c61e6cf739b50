import { JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/remotes.js'));

export const remoteCommands: Command[] = [
  implemented({
    name: 'login',
    group: 'server',
    args: 'URL',
    summary: 'log in to a Slipway server over HTTPS and make it the current remote',
    details:
      'The token (given, or made from your password) is kept in ~/.config/slipway/remotes.json (mode 600). ' +
      "A certificate no public CA vouches for (the server's self-signed default) is shown with its " +
      'fingerprint and pinned once you trust it, like SSH does; later connections accept only that one.',
    options: [
      {
        name: 'user',
        short: 'u',
        value: 'NAME',
        description: "log in with this user's password (asked, or --password-stdin)",
      },
      { name: 'password-stdin', description: 'read the password from stdin' },
      { name: 'token-stdin', description: 'read an API token (tokens:create) from stdin instead' },
      { name: 'name', value: 'NAME', description: 'what to call this remote', default: "the URL's host" },
      {
        name: 'fingerprint',
        value: 'SHA256',
        description: 'trust a self-signed certificate with this fingerprint without asking',
      },
      { name: 'address', value: 'IP', description: "connect to this address instead of resolving the URL's host" },
      JSON_OUTPUT,
    ],
    examples: [
      'slipway login https://slipway.example.com --user alice',
      'echo "$DEPLOY_TOKEN" | slipway login https://slipway.example.com --token-stdin --fingerprint AB:CD:…',
    ],
  }),
  implemented({
    name: 'logout',
    group: 'server',
    args: '[NAME]',
    summary: 'forget a remote (the current one by default); a token made by a password login is revoked',
    options: [],
    examples: ['slipway logout', 'slipway logout staging'],
  }),
  implemented({
    name: 'remotes',
    group: 'server',
    summary: 'list the servers you logged in to (the current one is marked)',
    options: [JSON_OUTPUT],
    examples: ['slipway remotes'],
  }),
  implemented({
    name: 'remotes:use',
    group: 'server',
    args: 'NAME',
    summary: "make a remote the current one (`local`: this machine's server)",
    options: [],
    examples: ['slipway remotes:use prod', 'slipway remotes:use local'],
  }),
];
