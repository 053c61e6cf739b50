import { APP, JSON_OUTPUT, type Command, implementedIn } from '../command.js';

const implemented = implementedIn(() => import('../actions/builds.js'));

export const buildsCommands: Command[] = [
  implemented({
    name: 'builds',
    group: 'deploy',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway builds -a shop'],
    summary: 'list builds (newest first): id, status, commit, steps, duration, releases, who',
  }),
  implemented({
    name: 'builds:info',
    group: 'deploy',
    args: 'ID',
    options: [APP, JSON_OUTPUT],
    examples: ['slipway builds:info -a shop lmn3x-4f2a9c'],
    summary: "one build's record (source, digest, steps with timings and cache hits) and its full log",
  }),
];
