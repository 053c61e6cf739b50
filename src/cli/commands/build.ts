import { APP, JSON_STREAM, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/build.js'));

export const buildCommand: Command = implemented({
  name: 'build',
  group: 'deploy',
  args: '[DIR]',
  options: [
    APP,
    {
      name: 'file',
      short: 'F',
      value: 'FILE',
      description: 'the build.yml to use, relative to DIR',
      default: 'build.yml',
    },
    { name: 'tag', value: 'IMAGE:TAG', multiple: true, description: 'also tag the built image' },
    {
      name: 'secret',
      value: 'NAME[=@FILE]',
      multiple: true,
      description:
        'a build secret from the environment (NAME) or a file (NAME=@FILE); only build.yml steps that list it get it',
    },
    { name: 'env', value: 'K=V', multiple: true, description: 'a ${VAR} of build.yml' },
    {
      name: 'dockerfile',
      value: 'FILE',
      description: 'the Dockerfile to build, relative to DIR',
      default: 'Dockerfile',
    },
    { name: 'build-arg', value: 'K=V', multiple: true, description: 'a Docker build argument' },
    JSON_STREAM,
  ],
  examples: [
    'slipway build -a shop ./shop --tag shop:1.4',
    'slipway build -a shop . --secret GIT_TOKEN --env VERSION=1.4',
  ],
  summary: 'build DIR (build.yml steps, else its Dockerfile) into a recorded build, without deploying it',
});
