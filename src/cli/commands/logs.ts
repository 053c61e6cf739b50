import { flag, has, requireApp } from '../args.js';
import { APP, JSON_OUTPUT, type Command } from '../command.js';
import { fromBody } from '../api-client.js';
import { parseTail } from '../../logs/log-limits.js';
import { parseLogSource } from '../../logs/log-sources.js';

interface LogLine {
  time: string;
  dyno: string;
  release: string;
  stream: string;
  text: string;
  /** `router` for the router's access log lines. */
  source?: string;
}

export const logsCommand: Command = {
  name: 'logs',
  group: 'processes',
  options: [
    APP,
    { name: 'follow', short: 'f', description: 'keep following, across deploys' },
    { name: 'ps', value: 'TYPE', description: 'only this process type' },
    {
      name: 'source',
      value: 'SOURCE',
      description:
        'app (the containers), router (the access log: method, path, status, timings, bytes, client; ' +
        'never headers, bodies or query strings) or all',
      default: 'app',
      choices: ['app', 'router', 'all'],
    },
    { name: 'tail', short: 'n', value: 'LINES', description: 'lines of backlog (0-10000)', default: '100' },
    JSON_OUTPUT,
  ],
  examples: [
    'slipway logs -a shop -n 500',
    'slipway logs -a shop -f --ps web',
    'slipway logs -a shop --source router -f',
  ],
  summary: 'show (and with -f follow, across deploys) the logs of every container, or the router access log',
  async run(ctx) {
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
};
