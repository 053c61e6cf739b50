import { parseReleaseVersion, requireApp } from '../args.js';
import { followOperation } from '../run-stream.js';
import type { CommandRuns } from '../command.js';

export const runs = {
  async rollback(ctx) {
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
} satisfies CommandRuns;
