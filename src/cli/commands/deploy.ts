import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { SlipwayError } from '../../core/errors.js';
import { flag, requireApp } from '../args.js';
import { followOperation } from '../run-stream.js';
import type { Command } from '../command.js';

interface DeployResult {
  app: string;
  release: number;
  deployment: number;
  ms: number;
}

export const deployCommand: Command = {
  name: 'deploy',
  usage: 'deploy -a APP [DIR] [--dockerfile FILE] [--build-arg K=V…] | deploy -a APP --image IMAGE  [--json]',
  summary: 'build DIR (default .) or take IMAGE, make a release and roll it out with zero downtime',
  async run(ctx) {
    const app = requireApp(ctx.args);
    const image = flag(ctx.args, 'image');
    const path = `/v1/apps/${encodeURIComponent(app)}/deploys`;
    let lines;
    if (image) {
      if (ctx.args.positionals.length > 0) throw new SlipwayError('INVALID_INPUT', 'give either DIR or --image, not both');
      lines = ctx.api().stream('POST', path, { type: 'application/json', data: JSON.stringify({ image }) });
    } else {
      const dir = resolve(ctx.args.positionals[0] ?? '.');
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw new SlipwayError('INVALID_INPUT', `${dir} is not a directory`, { hint: 'slipway deploy -a APP path/to/app, or --image IMAGE' });
      }
      const dockerfile = flag(ctx.args, 'dockerfile') ?? 'Dockerfile';
      if (!existsSync(join(dir, dockerfile))) {
        throw new SlipwayError('NO_DOCKERFILE', `no ${dockerfile} in ${dir}`, {
          hint: 'add a Dockerfile (or name one with --dockerfile), or deploy a prebuilt image with --image',
        });
      }
      const query = new URLSearchParams({ source: dir });
      if (flag(ctx.args, 'dockerfile')) query.set('dockerfile', dockerfile);
      for (const arg of ctx.args.flags.get('build-arg') ?? []) {
        if (!arg.includes('=')) throw new SlipwayError('INVALID_INPUT', '--build-arg takes KEY=VALUE', { hint: '--build-arg BASE_IMAGE=debian:bookworm' });
        query.append('buildArg', arg);
      }
      const tar = spawn('tar', ['-C', dir, '--exclude=./.git', '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      lines = ctx.api().stream('POST', `${path}?${query}`, { type: 'application/x-tar', data: tar.stdout });
    }
    const result = (await followOperation(ctx, lines)) as DeployResult;
    if (!ctx.json) ctx.output.out(`deployed ${result.app} v${result.release} in ${(result.ms / 1000).toFixed(2)}s`);
  },
};
