import { APP, JSON_STREAM, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/deploy.js'));

export const deployCommand: Command = implemented({
  name: 'deploy',
  group: 'deploy',
  args: '[DIR]',
  options: [
    APP,
    { name: 'image', value: 'IMAGE', description: 'deploy an image that is already on the host' },
    { name: 'build', value: 'ID', description: 'deploy a recorded build (see `slipway builds`)' },
    {
      name: 'strategy',
      value: 'rolling|blue-green',
      description: 'how web containers are replaced',
      default: "the app's deploy.strategy",
      choices: ['rolling', 'blue-green'],
    },
    {
      name: 'dockerfile',
      value: 'FILE',
      description: 'the Dockerfile to build, relative to DIR',
      default: 'Dockerfile',
    },
    { name: 'build-arg', value: 'K=V', multiple: true, description: 'a Docker build argument' },
    {
      name: 'path',
      value: 'SUB',
      description: 'the app inside a monorepo, relative to DIR (remembered)',
      default: "the app's build.path, else the root",
    },
    {
      name: 'runtime',
      value: 'official|debian',
      description: "the language's official images, or Debian's own packages (remembered)",
      default: "the app's build.runtime, else official",
      choices: ['official', 'debian'],
    },
    {
      name: 'base-image',
      value: 'IMAGE',
      description: 'base image of the generated Dockerfile (remembered)',
      default: "the app's build.base-image",
    },
    {
      name: 'ca-cert',
      value: 'FILE',
      description: 'extra CA certificates (PEM) for builds behind an intercepting proxy (remembered)',
      default: "the app's build.ca-cert",
    },
    {
      name: 'file',
      short: 'F',
      value: 'FILE',
      description: 'the build.yml to use, relative to DIR',
      default: 'build.yml',
    },
    {
      name: 'secret',
      value: 'NAME[=@FILE]',
      multiple: true,
      description:
        'a build secret from the environment (NAME) or a file (NAME=@FILE); only build.yml steps that list it get it',
    },
    { name: 'env', value: 'K=V', multiple: true, description: 'a ${VAR} of build.yml' },
    { name: 'tag', value: 'IMAGE:TAG', multiple: true, description: 'also tag the built image' },
    JSON_STREAM,
  ],
  examples: [
    'slipway deploy -a shop ./shop',
    'slipway deploy -a shop --image shop:1.4.2',
    'slipway deploy -a shop --build lmn3x-4f2a9c',
    'slipway deploy -a shop . --runtime debian --ca-cert /etc/ssl/certs/ca-certificates.crt',
  ],
  summary: 'build DIR (default .) or take IMAGE, make a release and roll it out with zero downtime',
});
