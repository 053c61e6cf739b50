import { JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/registries.js'));

export const registryCommands: Command[] = [
  implemented({
    name: 'registry:login',
    group: 'deploy',
    args: 'HOST',
    options: [
      { name: 'username', short: 'u', value: 'USER', description: 'the registry user' },
      { name: 'password-stdin', description: 'read the password (or token) from stdin' },
      JSON_OUTPUT,
    ],
    examples: ['echo "$CI_TOKEN" | slipway registry:login registry.example.com --username ci --password-stdin'],
    summary: 'keep credentials for a registry `deploy --image` pulls from (checked first, stored encrypted)',
  }),
  implemented({
    name: 'registry:logout',
    group: 'deploy',
    args: 'HOST',
    options: [],
    examples: ['slipway registry:logout registry.example.com'],
    summary: 'forget the credentials for a registry',
  }),
  implemented({
    name: 'registries',
    group: 'deploy',
    options: [JSON_OUTPUT],
    examples: ['slipway registries'],
    summary: 'list the registries Slipway has credentials for (never the passwords)',
  }),
];
