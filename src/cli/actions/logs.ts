import { flag, has, requireApp } from '../args.js';
import { fromBody } from '../api-client.js';
import { parseTail } from '../../logs/log-limits.js';
import { parseLogSource } from '../../logs/log-sources.js';
import type { CommandRuns } from '../command.js';

interface LogLine {
  time: string;
  dyno: string;
  release: string;
  stream: string;
  text: string;
  /** `router` for the router's access log lines. */
  source?: string;
}

export const runs = {
  async logs(ctx) {
    const app = requireApp(ctx.args);
    const query = new URLSearchParams();
    if (has(ctx.args, 'follow')) query.set('follow', '1');
    const ps = flag(ctx.args, 'ps');
    if (ps) query.set('ps', ps);
    const tail = flag(ctx.args, 'tail');
    if (tail !== undefined) query.set('tail', String(parseTail(tail)));
    const source = parseLogSource(flag(ctx.args, 'source'));
    if (source !== 'app') query.set('source', source);
    for await (const raw of ctx.api().stream('GET', `/v1/apps/${encodeURIComponent(app)}/logs?${query}`)) {
      // Log lines carry no `type`; an error after the stream started does.
      if (raw.type === 'error') throw fromBody(raw.error);
      const line = raw as unknown as LogLine;
      if (ctx.json) ctx.output.out(JSON.stringify(line));
      else if (line.source === 'router') ctx.output.out(`${line.time} ${app}[router]: ${line.text}`);
      else ctx.output.out(`${line.time} ${app}[${line.dyno}] ${line.release}: ${line.text}`);
    }
  },
} satisfies CommandRuns;
