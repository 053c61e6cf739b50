import { APP, JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/users.js'));

export const userCommands: Command[] = [
  implemented({
    name: 'whoami',
    group: 'server',
    options: [JSON_OUTPUT],
    examples: ['slipway whoami'],
    summary: 'the user and token this CLI acts as, and the apps it may act on',
  }),
  implemented({
    name: 'users',
    group: 'server',
    options: [JSON_OUTPUT],
    examples: ['slipway users'],
    summary: 'list the users and their roles (admin only)',
  }),
  implemented({
    name: 'users:passwd',
    group: 'server',
    args: '[NAME]',
    options: [
      {
        name: 'password-stdin',
        description: 'read the new password from stdin (your own: the current one on the line before it)',
      },
      JSON_OUTPUT,
    ],
    examples: [
      'slipway users:passwd            # yours (asked twice)',
      'echo "$PW" | slipway users:passwd bob --password-stdin',
    ],
    summary: "set your password (an admin: anyone's) for slipway login and git push over HTTPS",
  }),
  implemented({
    name: 'users:add',
    group: 'server',
    args: 'NAME',
    options: [
      {
        name: 'role',
        value: 'ROLE',
        description: 'admin (everything) or member (only the apps given to it)',
        default: 'member',
        choices: ['admin', 'member'],
      },
      { name: 'password-stdin', description: 'read a password for them from stdin (for slipway login and git push)' },
      JSON_OUTPUT,
    ],
    examples: ['slipway users:add alice --role member', 'echo "$PASSWORD" | slipway users:add bob --password-stdin'],
    summary: 'add a user (then make a token for them: tokens:create --user NAME)',
  }),
  implemented({
    name: 'users:remove',
    group: 'server',
    args: 'NAME',
    options: [],
    examples: ['slipway users:remove alice'],
    summary: 'remove a user; their tokens stop working at once',
  }),
  implemented({
    name: 'tokens',
    group: 'server',
    options: [{ name: 'all', description: "every user's tokens (admin)" }, JSON_OUTPUT],
    examples: ['slipway tokens', 'slipway tokens --all'],
    summary: 'list your API tokens (never their values)',
  }),
  implemented({
    name: 'tokens:create',
    group: 'server',
    options: [
      { name: 'app', short: 'a', value: 'APP', description: 'the token acts on this app only' },
      {
        name: 'scope',
        value: 'SCOPE',
        description: 'read, deploy (deploys and rollbacks) or admin (all you may do)',
        default: 'admin',
        choices: ['read', 'deploy', 'admin'],
      },
      { name: 'expires', value: 'DURATION', description: 'e.g. 30d, 12h', default: 'never' },
      { name: 'name', value: 'NAME', description: 'what it is for, e.g. ci' },
      { name: 'user', value: 'USER', description: 'for another user (admin)' },
      JSON_OUTPUT,
    ],
    examples: ['slipway tokens:create --app shop --scope deploy --expires 90d --name ci'],
    summary: 'make an API token; it is shown once (Slipway keeps only its hash)',
  }),
  implemented({
    name: 'tokens:revoke',
    group: 'server',
    args: 'ID',
    options: [],
    examples: ['slipway tokens:revoke 3'],
    summary: 'revoke a token (its id is in `slipway tokens`); it stops working at once',
  }),
  implemented({
    name: 'access',
    group: 'apps',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway access -a shop'],
    summary: 'the members who may act on an app (admins may act on every app)',
  }),
  implemented({
    name: 'access:add',
    group: 'apps',
    args: 'USER',
    options: [APP],
    examples: ['slipway access:add -a shop alice'],
    summary: 'let a member act on an app',
  }),
  implemented({
    name: 'access:remove',
    group: 'apps',
    args: 'USER',
    options: [APP],
    examples: ['slipway access:remove -a shop alice'],
    summary: "take a member's access to an app away",
  }),
  implemented({
    name: 'audit',
    group: 'server',
    options: [
      { ...APP, description: "one app's entries (members with access may read them)" },
      { name: 'limit', short: 'n', value: 'N', description: 'the newest N entries', default: '100' },
      JSON_OUTPUT,
    ],
    examples: ['slipway audit', 'slipway audit -a shop --json'],
    summary: 'every mutating or refused request: who, what, when, from where, outcome',
  }),
];
