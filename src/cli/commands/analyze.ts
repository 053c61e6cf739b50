import { resolve } from 'node:path';
import { analyzeSource } from '../../analyze/index.js';
import { versionOverrides } from '../../analyze/build-options.js';
import { flag } from '../args.js';
import { renderAnalysis } from '../analysis-report.js';
import { JSON_OUTPUT, type Command } from '../command.js';
import { initCommand } from './init.js';

/** `slipway analyze`: what Slipway would build for a directory with no Dockerfile, and why. Local: no server. */
export const analyzeCommand: Command = {
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
  async run(ctx) {
    const dir = resolve(ctx.args.positionals[0] ?? '.');
    const path = flag(ctx.args, 'path');
    const analysis = await analyzeSource(dir, { ...(path ? { path } : {}), env: versionOverrides(process.env) });
    if (ctx.json) ctx.output.out(JSON.stringify(analysis, null, 2));
    else for (const line of renderAnalysis(analysis)) ctx.output.out(line);
  },
};

/** The local source commands (issue 4), registered together in main.ts. */
export const sourceCommands: Command[] = [analyzeCommand, initCommand];
