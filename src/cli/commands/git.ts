import { APP, JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/git.js'));

export const gitCommands: Command[] = [
  implemented({
    name: 'git:remote',
    group: 'deploy',
    options: [
      APP,
      { name: 'ssh', description: 'push over SSH (keys:add) instead of HTTP (a token as the password)' },
      { name: 'name', value: 'NAME', description: 'the remote name', default: 'slipway' },
      JSON_OUTPUT,
    ],
    examples: ['slipway git:remote -a shop', 'slipway git:remote -a shop --ssh && git push slipway main'],
    summary: "add a git remote for the app to the current directory's repository and print its URL",
    details:
      'A push to the deploy branch (default main; apps:settings:set git.branch=…) builds and deploys the pushed ' +
      'commit. Over HTTP git asks for a password: give a Slipway token (any user name).',
  }),
  implemented({
    name: 'builds:attach',
    group: 'deploy',
    args: 'ID',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway builds:attach -a shop lmn3x-4f2a9c'],
    summary: 'follow a build (e.g. of a git push whose client left) until it and its deploy finish',
  }),
];
