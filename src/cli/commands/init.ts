import { JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/init.js'));

/** `slipway init`: writes Dockerfile, .dockerignore, docker-compose.yml and slipway.yml from the analysis. Local. */
export const initCommand: Command = implemented({
  name: 'init',
  group: 'source',
  args: '[DIR]',
  options: [
    { name: 'path', value: 'SUB', description: 'the app inside a monorepo, relative to DIR', default: 'the root' },
    {
      name: 'runtime',
      value: 'official|debian',
      description: "the language's official images, or Debian's own packages",
      default: 'official',
      choices: ['official', 'debian'],
    },
    { name: 'base-image', value: 'IMAGE', description: 'base image of the generated Dockerfile' },
    {
      name: 'ca-cert',
      value: 'FILE',
      description: 'extra CA certificates (PEM) for builds behind an intercepting proxy',
    },
    { name: 'force', description: 'overwrite files that exist' },
    JSON_OUTPUT,
  ],
  examples: ['slipway init ./shop --runtime debian'],
  summary:
    'write a Dockerfile, .dockerignore, docker-compose.yml and slipway.yml for DIR (default .) from its analysis; ' +
    'never overwrites without --force',
});
