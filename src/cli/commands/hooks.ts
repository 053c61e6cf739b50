import { APP, JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/hooks.js'));

export const hookCommands: Command[] = [
  implemented({
    name: 'hooks:add',
    group: 'deploy',
    options: [
      APP,
      { name: 'provider', value: 'PROVIDER', description: 'who sends it', choices: ['github', 'gitlab', 'gitea'] },
      { name: 'branch', value: 'BRANCH', description: 'the branch whose pushes deploy', default: 'main' },
      {
        name: 'repo',
        value: 'CLONE_URL',
        description: 'the repository pushes are fetched from; deliveries naming another are refused',
        default: 'the first signed push pins its clone URL',
      },
      JSON_OUTPUT,
    ],
    examples: ['slipway hooks:add -a shop --provider github --branch main'],
    summary: 'add a CI webhook: pushes to the branch are fetched, built and deployed (prints the URL and secret once)',
    details:
      'The secret is shown this once: paste it into the provider\'s webhook form (GitHub and Gitea: "Secret", ' +
      'content type application/json; GitLab: "Secret token"). Private repositories are fetched with ' +
      '`slipway git:credentials:set`. Deliveries of an app are handled one at a time; one that arrives while ' +
      'the app deploys waits for that deploy (up to 10 minutes), then fails naming it (see hooks:deliveries). ' +
      'A bad signature is answered 401 and changes nothing.',
  }),
  implemented({
    name: 'hooks',
    group: 'deploy',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway hooks -a shop'],
    summary: "list an app's CI webhooks (never their secrets)",
  }),
  implemented({
    name: 'hooks:remove',
    group: 'deploy',
    args: 'ID',
    options: [APP],
    examples: ['slipway hooks:remove -a shop 1'],
    summary: 'remove a CI webhook (its deliveries go with it)',
  }),
  implemented({
    name: 'hooks:deliveries',
    group: 'deploy',
    options: [
      APP,
      { name: 'limit', short: 'n', value: 'N', description: 'the newest N deliveries (at most 1000)', default: '50' },
      JSON_OUTPUT,
    ],
    examples: ['slipway hooks:deliveries -a shop', 'slipway hooks:deliveries -a shop -n 200 --json'],
    summary: 'each webhook delivery of an app: event, commit, branch, when, outcome and timings',
  }),
  implemented({
    name: 'git:credentials:set',
    group: 'deploy',
    options: [
      APP,
      { name: 'username', short: 'u', value: 'USER', description: 'the git user (or a token name)' },
      { name: 'password-stdin', description: 'read the password (or token) from stdin' },
    ],
    examples: ['echo "$DEPLOY_TOKEN" | slipway git:credentials:set -a shop --username ci --password-stdin'],
    summary: "keep the credentials webhook deploys fetch the app's repository with (stored encrypted)",
  }),
  implemented({
    name: 'git:credentials',
    group: 'deploy',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway git:credentials -a shop'],
    summary: 'show the git user webhook deploys fetch with (never the password)',
  }),
  implemented({
    name: 'git:credentials:unset',
    group: 'deploy',
    options: [APP],
    examples: ['slipway git:credentials:unset -a shop'],
    summary: 'forget the git credentials of an app',
  }),
];
