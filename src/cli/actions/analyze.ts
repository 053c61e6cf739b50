import { resolve } from 'node:path';
import { analyzeSource } from '../../analyze/index.js';
import { versionOverrides } from '../../analyze/build-options.js';
import { flag } from '../args.js';
import { renderAnalysis } from '../analysis-report.js';
import type { CommandRuns } from '../command.js';

export const runs = {
  async analyze(ctx) {
    const dir = resolve(ctx.args.positionals[0] ?? '.');
    const path = flag(ctx.args, 'path');
    const analysis = await analyzeSource(dir, { ...(path ? { path } : {}), env: versionOverrides(process.env) });
    if (ctx.json) ctx.output.out(JSON.stringify(analysis, null, 2));
    else for (const line of renderAnalysis(analysis)) ctx.output.out(line);
  },
} satisfies CommandRuns;
