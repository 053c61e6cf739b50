import { JSON_OUTPUT, type Command, implementedIn } from '../command.js';
import { initCommand } from './init.js';

const implemented = implementedIn(() => import('../actions/analyze.js'));

/** `slipway analyze`: what Slipway would build for a directory with no Dockerfile, and why. Local: no server. */
export const analyzeCommand: Command = implemented({
  name: 'analyze',
  group: 'source',
  args: '[DIR]',
  options: [
    { name: 'path', value: 'SUB', description: 'the app inside a monorepo, relative to DIR', default: 'the root' },
    JSON_OUTPUT,
  ],
  examples: ['slipway analyze ./shop', 'slipway analyze . --path apps/api --json'],
  summary:
    'report what DIR (default .) is — language, framework, processes, services, OS packages — ' +
    'and the file:line behind each conclusion',
});

/** The local source commands (issue 4), registered together in main.ts. */
export const sourceCommands: Command[] = [analyzeCommand, initCommand];
