import { SlipwayError } from '../../core/errors.js';
import { flag, requireApp, values } from '../args.js';
import { followOperation } from '../run-stream.js';
import type { BuildRecord } from '../../store/build-record-repository.js';
import { sourceUpload } from './source-upload.js';
import type { CommandRuns } from '../command.js';

export const runs = {
  async build(ctx) {
    const app = requireApp(ctx.args);
    if (ctx.args.positionals.length > 1)
      throw new SlipwayError('INVALID_INPUT', 'build takes one directory', { hint: 'slipway build -a APP ./app' });
    const upload = await sourceUpload(ctx.args, ctx.args.positionals[0]);
    for (const note of upload.notes) ctx.output.err(note);
    upload.query.set('source', upload.dir);
    const dockerfile = flag(ctx.args, 'dockerfile');
    if (dockerfile) upload.query.set('dockerfile', dockerfile);
    for (const arg of values(ctx.args, 'build-arg')) {
      if (!arg.includes('='))
        throw new SlipwayError('INVALID_INPUT', '--build-arg takes KEY=VALUE', { hint: '--build-arg VERSION=1.2' });
      upload.query.append('buildArg', arg);
    }
    const lines = ctx.api().stream('POST', `/v1/apps/${encodeURIComponent(app)}/builds?${upload.query}`, {
      type: 'application/x-tar',
      data: upload.tar(),
      headers: upload.headers,
    });
    const record = (await followOperation(ctx, lines)) as BuildRecord;
    if (ctx.json) return;
    for (const step of record.steps as { name: string; ms: number; cached: number; layers: number; kept: boolean }[]) {
      ctx.output.out(
        `  ${step.name.padEnd(16)} ${(step.ms / 1000).toFixed(2)}s  ` +
          `${step.cached}/${step.layers} cached${step.kept ? '  (final image)' : ''}`,
      );
    }
    const commit = record.source.commit
      ? ` from ${record.source.commit.slice(0, 12)}${record.source.dirty ? ' (dirty)' : ''}`
      : '';
    ctx.output.out(`built ${app} build ${record.id}${commit}: ${record.imageRef} (${record.imageId?.slice(7, 19)})`);
    ctx.output.out(`deploy it with: slipway deploy -a ${app} --build ${record.id}`);
  },
} satisfies CommandRuns;
