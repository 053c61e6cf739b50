import { parseReleaseVersion, requireApp } from '../args.js';
import { followOperation } from '../run-stream.js';
import { APP, JSON_STREAM, type Command } from '../command.js';

export const rollbackCommand: Command = {
  name: 'rollback',
  group: 'deploy',
  args: '[vN]',
  options: [APP, JSON_STREAM],
  examples: ['slipway rollback -a shop', 'slipway rollback -a shop v3'],
  summary: 'make release vN+1 from an earlier release (default: the one before the current) and roll it out',
  async run(ctx) {
    const app = requireApp(ctx.args);
    const raw = ctx.args.positionals[0];
    const version = raw === undefined ? undefined : parseReleaseVersion(raw);
    const lines = ctx.api().stream('POST', `/v1/apps/${encodeURIComponent(app)}/rollback`, {
      type: 'application/json',
      data: JSON.stringify(version === undefined ? {} : { version }),
    });
    const result = (await followOperation(ctx, lines)) as { release: number; rolledBackTo: number; ms: number };
    if (!ctx.json)
      ctx.output.out(
        `rolled back ${app} to v${result.rolledBackTo} as v${result.release} in ${(result.ms / 1000).toFixed(2)}s`,
      );
  },
};
